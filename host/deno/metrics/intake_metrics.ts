/**
 * Every metric Intake exposes at `/metrics`, created once per server with its services.
 * `docs/operations.md` lists them with their labels and meaning; keep the two in step.
 *
 * @module
 */
import type { Database } from "../../../db/database.ts";
import { onStageEnd } from "../../../core/stage_durations.ts";
import type { Counter } from "./counter.ts";
import type { Gauge } from "./gauge.ts";
import type { Histogram } from "./histogram.ts";
import { MetricsRegistry, type RegistryOptions } from "./registry.ts";

/** Request durations: 5 ms to 10 s (uploads answer within a few seconds or with 202). */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Stage durations: a few ms for a small file up to several minutes for a million rows. */
const STAGE_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600];

/** Intake's metrics and the registry that renders them. */
export interface IntakeMetrics {
  registry: MetricsRegistry;
  /** Answered requests by route pattern, method and status. */
  httpRequests: Counter<"route" | "method" | "status">;
  /** Time to the response head, by route pattern and method. */
  httpDuration: Histogram<"route" | "method">;
  /** Runs that reached a final status. */
  runs: Counter<"type" | "status">;
  /** Rows of finished runs by what happened to them. */
  rows: Counter<"type" | "action">;
  /** Wall time of each pipeline stage. */
  stageDuration: Histogram<"stage">;
  /** Database pool figures, read at each scrape. */
  dbPool: Gauge<"state">;
  /**
   * Jobs waiting in the queue; 0 until a queue registers a collector with
   * `queueDepth.collect(async (g) => g.set({}, await queue.depth()))`.
   */
  queueDepth: Gauge;
  /** Stops feeding stage durations into this registry (on shutdown). */
  dispose(): void;
}

/** Creates the registry with every Intake metric, reading pool figures from `database`. */
export function createIntakeMetrics(
  database: Pick<Database, "poolStats">,
  options: RegistryOptions = {},
): IntakeMetrics {
  const registry = new MetricsRegistry(options);
  const httpRequests = registry.counter({
    name: "intake_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status.",
    labelNames: ["route", "method", "status"],
  });
  const httpDuration = registry.histogram({
    name: "intake_http_request_duration_seconds",
    help: "Time from request to response head (streamed bodies continue after), in seconds.",
    labelNames: ["route", "method"],
    buckets: HTTP_BUCKETS,
  });
  const runs = registry.counter({
    name: "intake_runs_total",
    help: "Runs that reached a final status (committed, reverted, discarded, failed), " +
      "by upload type.",
    labelNames: ["type", "status"],
  });
  const rows = registry.counter({
    name: "intake_rows_total",
    help: "Rows of finished runs, by upload type and action " +
      "(inserted, updated, deleted, unchanged, excluded, invalid).",
    labelNames: ["type", "action"],
  });
  const stageDuration = registry.histogram({
    name: "intake_stage_duration_seconds",
    help: "Wall time of each pipeline stage per run, in seconds (streaming stages overlap).",
    labelNames: ["stage"],
    buckets: STAGE_BUCKETS,
  });
  const dbPool = registry.gauge({
    name: "intake_db_pool_connections",
    help: "Database pool: size (most connections), in_use, and waiting (queries queued).",
    labelNames: ["state"],
  });
  dbPool.collect((gauge) => {
    const stats = database.poolStats();
    gauge.set({ state: "size" }, stats.size);
    gauge.set({ state: "in_use" }, stats.inUse);
    gauge.set({ state: "waiting" }, stats.waiting);
  });
  const queueDepth = registry.gauge({
    name: "intake_queue_depth",
    help: "Jobs waiting in the background queue (0 while there is no queue).",
  });
  queueDepth.set({}, 0);
  const stopStages = onStageEnd((stage, seconds) => stageDuration.observe({ stage }, seconds));
  return {
    registry,
    httpRequests,
    httpDuration,
    runs,
    rows,
    stageDuration,
    dbPool,
    queueDepth,
    dispose: stopStages,
  };
}
