/**
 * A trace context as a W3C `traceparent` string, so work that outlives its request (a queued job,
 * a worker in another process) can be stored with the trace it belongs to and continue it later.
 *
 * Written over `@opentelemetry/api` alone rather than the globally registered propagator: Deno
 * installs a W3C one but other hosts and tests may have none, and the format is small and fixed.
 * Only `traceparent` is kept; `tracestate` (vendor data) and baggage do not travel with a job.
 *
 * @example Store a job's trace and continue it in a worker
 * ```ts
 * import { fromTraceparent, toTraceparent } from "./trace_context.ts";
 * import { withSpan } from "./telemetry.ts";
 *
 * // At enqueue, in the request: `toTraceparent()` of the request's span.
 * const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
 * const job = { runId: "r1", traceparent };
 * // Later, in the worker: the job's span continues that trace.
 * const parent = fromTraceparent(job.traceparent);
 * const seen = await withSpan("ingest.job", { "ingest.run_id": job.runId }, parent, (_span, ctx) =>
 *   Promise.resolve(toTraceparent(ctx)));
 * if (!seen?.startsWith("00-0af7651916cd43dd8448eb211c80319c-")) throw new Error("trace lost");
 * ```
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

// version "00": version-traceid-parentid-flags; later versions may append "-…" fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The W3C `traceparent` of the span in `ctx` (the active context by default), or null when it
 * holds no valid span, as when no tracer is installed.
 *
 * @example
 * ```ts
 * import { ROOT_CONTEXT } from "@opentelemetry/api";
 * import { fromTraceparent, toTraceparent } from "./trace_context.ts";
 *
 * const stored = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
 * if (toTraceparent(fromTraceparent(stored)) !== stored) throw new Error("no round trip");
 * if (toTraceparent(ROOT_CONTEXT) !== null) throw new Error("a span out of nowhere");
 * ```
 */
export function toTraceparent(ctx: Context = context.active()): string | null {
  const span = trace.getSpanContext(ctx);
  if (!span || !isSpanContextValid(span)) return null;
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

/**
 * A context whose parent span is the remote one `traceparent` names, on top of `base` (the root
 * context by default); `base` itself when the value is missing or not a valid `traceparent`, so
 * a bad stored value starts a new trace instead of failing the job.
 *
 * @example
 * ```ts
 * import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
 * import { fromTraceparent } from "./trace_context.ts";
 *
 * const parent = fromTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
 * const remote = trace.getSpanContext(parent);
 * if (remote?.spanId !== "b7ad6b7169203331" || !remote.isRemote) throw new Error("unexpected");
 * // A stored value that is not a traceparent starts a new trace rather than failing the job.
 * if (fromTraceparent("garbage") !== ROOT_CONTEXT) throw new Error("unexpected");
 * ```
 */
export function fromTraceparent(
  traceparent: string | null | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  const span = parseTraceparent(traceparent);
  return span ? trace.setSpanContext(base, span) : base;
}

/** Parses a `traceparent` into a remote span context; null when it is not a valid one. */
export function parseTraceparent(traceparent: string | null | undefined): SpanContext | null {
  const match = TRACEPARENT.exec(traceparent?.trim() ?? "");
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  // "ff" is forbidden; version 00 has exactly four fields.
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  const span: SpanContext = {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16),
    isRemote: true,
  };
  return isSpanContextValid(span) ? span : null;
}
