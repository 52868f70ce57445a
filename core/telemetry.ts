/**
 * Tracing for the pipeline over `@opentelemetry/api` only: whoever runs core installs the SDK
 * (Deno's built-in OpenTelemetry in the server, an in-memory exporter in tests). With none
 * installed every call here is a no-op.
 *
 * One `ingest.run` span per upload, one `ingest.<stage>` child per stage, never a span per row.
 * Streaming stages overlap in time, so a stage span opens at the stage's first work and closes
 * when its input ends; counts are set as attributes when it closes.
 *
 * Work that continues a run's trace later or elsewhere (a queued job) carries it as a W3C
 * `traceparent` string: see `trace_context.ts`.
 *
 * @module
 */
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { toIngestError } from "./errors.ts";
import { reportStageEnd } from "./stage_durations.ts";

/** Names of the pipeline stages, each traced as `ingest.<stage>`. */
export const STAGE_NAMES = [
  "receive",
  "decode",
  "parse",
  "map_headers",
  "validate",
  "stage",
  "classify",
  "commit",
  "refresh",
  "discard",
] as const;

/** One of {@linkcode STAGE_NAMES}. */
export type StageName = typeof STAGE_NAMES[number];

/** The attributes every span of a run carries: its upload type, id and mode. */
export function runSpanAttributes(
  uploadType: string,
  run: { id: string; mode: string },
): Attributes {
  return {
    "ingest.upload_type": uploadType,
    "ingest.run_id": run.id,
    "ingest.mode": run.mode,
  };
}

/** The tracer core uses (named for the service, so operators can filter on it). */
export function tracer() {
  return trace.getTracer("intake.ingest", "1.0.0");
}

/** Starts a span as a child of `parent` (or the active context) and returns it with its context. */
export function startSpan(
  name: string,
  attributes: Attributes,
  parent: Context = context.active(),
): { span: Span; context: Context } {
  const span = tracer().startSpan(name, { attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Records `err` on `span` (exception event, ERROR status, error type) without ending it. */
export function recordFailure(span: Span, err: unknown): void {
  const error = toIngestError(err);
  span.recordException(error);
  span.setAttribute("ingest.error_type", error.type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * Runs `fn` inside a span named `name`, child of `parent`; records a failure and always ends it.
 *
 * @example
 * ```ts
 * import { ROOT_CONTEXT } from "@opentelemetry/api";
 * import { withSpan } from "./telemetry.ts";
 *
 * const attrs = { "ingest.run_id": "r1" };
 * const valid = await withSpan("ingest.classify", attrs, ROOT_CONTEXT, (span) => {
 *   span.setAttribute("ingest.rows_valid", 3);
 *   return Promise.resolve(3);
 * });
 * if (valid !== 3) throw new Error("unexpected");
 * ```
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  parent: Context,
  fn: (span: Span, context: Context) => Promise<T>,
): Promise<T> {
  const { span, context: ctx } = startSpan(name, attributes, parent);
  const started = performance.now();
  try {
    return await fn(span, ctx);
  } catch (err) {
    recordFailure(span, err);
    throw err;
  } finally {
    span.end();
    const stage = STAGE_NAMES.find((s) => name === `ingest.${s}`);
    if (stage) reportStageEnd(stage, (performance.now() - started) / 1000);
  }
}

/** Returns the trace id of `span`, or null when no tracer is installed (all-zero ids). */
export function traceIdOf(span: Span): string | null {
  const { traceId } = span.spanContext();
  return /^0+$/.test(traceId) ? null : traceId;
}

/**
 * One stage's span, declared in the stage's own file: its name and the counts it closes with.
 * The stage opens it as its work starts; the pipeline closes it once the stage's input has ended
 * (streaming stages overlap, so only the pipeline knows when).
 */
export interface StageSpan<Counts> {
  /** The stage, traced as `ingest.<stage>`. */
  readonly stage: StageName;
  /** Opens the span in `spans` if it is not open yet. */
  open(spans: StageSpans): Span;
  /** Ends the span with the attributes of `counts` (`endedAt` as in {@linkcode StageSpans.close}). */
  close(spans: StageSpans, counts: Counts, endedAt?: number): void;
}

/** Declares the span of `stage`, with the attributes it gets from its final counts. */
export function defineStageSpan<Counts>(
  stage: StageName,
  attributes: (counts: Counts) => Attributes,
): StageSpan<Counts> {
  return {
    stage,
    open: (spans) => spans.open(stage),
    close: (spans, counts, endedAt) => spans.close(stage, attributes(counts), endedAt),
  };
}

/**
 * The spans of the streaming stages of one run: each opens on first use and closes once, so the
 * pipeline can open them as data first flows and close them as each input ends.
 */
export class StageSpans {
  readonly #parent: Context;
  readonly #common: Attributes;
  readonly #open = new Map<StageName, { span: Span; started: number }>();
  // A stage that failed after it closed (validation) gets a second span but no second duration.
  readonly #timed = new Set<StageName>();

  constructor(parent: Context, common: Attributes) {
    this.#parent = parent;
    this.#common = common;
  }

  /** The run's context, parent of every stage span. */
  get parent(): Context {
    return this.#parent;
  }

  /** Opens the stage's span if it is not open yet. */
  open(stage: StageName): Span {
    let open = this.#open.get(stage);
    if (!open) {
      open = {
        span: startSpan(`ingest.${stage}`, this.#common, this.#parent).span,
        started: performance.now(),
      };
      this.#open.set(stage, open);
    }
    return open.span;
  }

  /**
   * Sets the final counts and ends the stage's span (opening it first if it never ran). `endedAt`
   * (a `performance.now()` reading) backdates the end, for counts known only after later work.
   */
  close(stage: StageName, attributes: Attributes = {}, endedAt?: number): void {
    const span = this.open(stage);
    span.setAttributes(attributes);
    this.#end(stage, endedAt);
  }

  /**
   * Marks `failed` as the stage that broke (ERROR status, exception) and ends every open span;
   * the others overlapped it in time and are only marked `ingest.aborted`.
   */
  abort(failed: StageName, err: unknown): void {
    recordFailure(this.open(failed), err);
    for (const [stage, { span }] of this.#open) {
      if (stage !== failed) span.setAttribute("ingest.aborted", true);
      this.#end(stage);
    }
  }

  /** Ends every open span with `attributes`: work that stopped without failing. */
  endAll(attributes: Attributes): void {
    for (const [stage, { span }] of this.#open) {
      span.setAttributes(attributes);
      this.#end(stage);
    }
  }

  #end(stage: StageName, endedAt?: number): void {
    const open = this.#open.get(stage)!;
    open.span.end(endedAt === undefined ? undefined : new Date(performance.timeOrigin + endedAt));
    this.#open.delete(stage);
    if (this.#timed.has(stage)) return;
    this.#timed.add(stage);
    reportStageEnd(stage, ((endedAt ?? performance.now()) - open.started) / 1000);
  }
}
