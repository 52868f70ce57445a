/**
 * A loopback OTLP/HTTP receiver that accepts and drops everything: the far end of the tracing
 * overhead measurement (the server's exporting is what is measured, not a collector).
 *
 * @module
 */

/** Starts the receiver; `endpoint` goes into `OTEL_EXPORTER_OTLP_ENDPOINT`. */
export function startOtlpSink(): { endpoint: string; spans(): number; stop(): Promise<void> } {
  let spans = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.text();
    if (new URL(req.url).pathname === "/v1/traces") spans += body.split('"spanId"').length - 1;
    return Response.json({});
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    spans: () => spans,
    stop: () => server.shutdown(),
  };
}
