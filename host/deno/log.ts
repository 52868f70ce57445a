/**
 * Structured logs: one JSON object per line on stderr, `{"time", "level", "msg", …fields}`,
 * filtered by `LOG_LEVEL`. Lines written inside an OpenTelemetry span carry its `trace_id` and
 * `span_id`. Fields go through {@linkcode redact}, but that is the last line of defence: callers
 * pass ids, counts and error types, never file contents, cell values or headers.
 *
 * @module
 */
import { type Context, context, isSpanContextValid, trace } from "@opentelemetry/api";
import { redact, redactText } from "./redact.ts";
import { LOG_LEVELS, type LogLevel } from "./settings.ts";

type Level = LogLevel;
let threshold = LOG_LEVELS.indexOf("info");

/** The `trace_id` and `span_id` of the span active in `ctx`, or nothing outside a trace. */
export function traceFields(ctx: Context = context.active()): Record<string, string> {
  const span = trace.getSpanContext(ctx);
  if (!span || !isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}

function write(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (LOG_LEVELS.indexOf(level) < threshold) return;
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level,
    msg: redactText(msg),
    ...traceFields(),
    ...redact(fields) as Record<string, unknown>,
  });
  console.error(line);
}

/** The process logger. */
export const log = {
  /** Sets the lowest level that is written. */
  setLevel(level: Level): void {
    threshold = LOG_LEVELS.indexOf(level);
  },
  /** True when lines of `level` are written (to skip building fields that would be dropped). */
  enabled(level: Level): boolean {
    return LOG_LEVELS.indexOf(level) >= threshold;
  },
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
