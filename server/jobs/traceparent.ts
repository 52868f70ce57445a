/**
 * The trace a queued job belongs to, kept as a W3C `traceparent` string with the job so the
 * worker (in this process or another) continues the trace of the request that queued it.
 *
 * Written over `@opentelemetry/api` alone rather than `propagation.inject/extract`: those do
 * nothing unless a propagator is registered (Deno registers one under OTEL_DENO; tests and other
 * hosts may not), and the format is small and fixed. When `core/trace_context.ts` (a shared
 * helper for the same thing) lands, this module gives way to it.
 *
 * @module
 */
import {
  type Context,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from "@opentelemetry/api";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The `traceparent` of the span active in `ctx`, or null outside a (recording) trace. */
export function toTraceparent(ctx: Context = context.active()): string | null {
  const span = trace.getSpanContext(ctx);
  if (!span || !isSpanContextValid(span)) return null;
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

/** A context whose parent is the remote span `traceparent` names; the root context otherwise. */
export function fromTraceparent(traceparent: string | null | undefined): Context {
  const match = TRACEPARENT.exec(traceparent ?? "");
  if (!match) return ROOT_CONTEXT;
  const span: SpanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: parseInt(match[3], 16),
    isRemote: true,
  };
  return isSpanContextValid(span) ? trace.setSpanContext(ROOT_CONTEXT, span) : ROOT_CONTEXT;
}

/** The trace id inside a `traceparent`, or null. */
export function traceIdOfParent(traceparent: string | null): string | null {
  return TRACEPARENT.exec(traceparent ?? "")?.[1] ?? null;
}
