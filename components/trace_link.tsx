/** `template` with the trace id in place of every `{traceId}`. */
export function traceUrl(template: string, traceId: string): string {
  return template.replaceAll("{traceId}", encodeURIComponent(traceId));
}

/**
 * A run's trace id, linked to the operators' trace viewer when `TRACE_URL_TEMPLATE` is set;
 * a dash when the run was not traced (the server ran without `OTEL_DENO=true`).
 */
export function TraceLink(
  { traceId, template }: { traceId: string | null; template: string | undefined },
) {
  if (!traceId) return <code>—</code>;
  if (!template) return <code>{traceId}</code>;
  return (
    <a href={traceUrl(template, traceId)} target="_blank" rel="noopener noreferrer">
      <code>{traceId}</code>
    </a>
  );
}
