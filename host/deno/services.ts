/**
 * The services every Deno host of Intake opens once at start and passes to whatever needs them
 * (the server's routes, the CLI's commands), never installed globally: the upload types (from
 * `config/upload_types/`), the database (embedded PGlite unless `DATABASE_URL` is set) migrated to
 * the latest schema, the store over it that logs and counts each run's lifecycle, the metrics,
 * and, when asked for, the background job worker (made here, started by the caller). The server
 * adds its own in `server/services.ts`.
 *
 * @module
 */
import type { UploadTypeRegistry } from "../../core/config/registry.ts";
import type { Database } from "../../db/database.ts";
import type { Store } from "../../core/ports.ts";
import { findTargetProblems } from "../../store/postgres/target_check.ts";
import { TargetTableError } from "../../core/target_readiness.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { openDatabase } from "../../db/open_database.ts";
import { createJobWorker, type JobWorker, type JobWorkerOptions } from "./jobs/job_worker.ts";
import { loadUploadTypes } from "./load_upload_types.ts";
import { log } from "./log.ts";
import { createIntakeMetrics, type IntakeMetrics } from "./metrics/intake_metrics.ts";
import { ObservedStore } from "./observed_store.ts";
import { createPostgresStore } from "../../store/postgres/postgres_store.ts";
import type { HostSettings } from "./settings.ts";
import { within } from "./within.ts";

/** What every host opens: settings, database, store, upload types, metrics, maybe a worker. */
export interface HostServices {
  settings: HostSettings;
  database: Database;
  store: Store;
  uploadTypes: UploadTypeRegistry;
  /** Runs still processing in this process, awaited on shutdown. */
  inFlight: Set<Promise<unknown>>;
  /** Every metric of the process; the server renders them at `/metrics`. */
  metrics: IntakeMetrics;
  /**
   * The job queue and worker of this instance, when it runs one (not started by
   * {@linkcode openHostServices}); large uploads and `?async=1` are queued only then.
   */
  jobs?: JobWorker;
}

/** How {@linkcode openHostServices} opens them. */
export interface HostServicesOptions {
  /** An open database to use (tests); opened from the settings when absent. */
  database?: Database;
  /** Where the upload types are; `config/upload_types/` by default. */
  uploadTypesDir?: URL;
  /** Makes `jobs`, with these options over the settings'; no worker when absent. */
  worker?: Partial<JobWorkerOptions>;
  /** Called after each attempt to create a run or change its status (the server's caches). */
  onRunChange?: () => void;
}

/** The upload types a host loads by default. */
export const UPLOAD_TYPES_DIR = new URL("../../config/upload_types/", import.meta.url);

/**
 * Loads the upload types, opens the database, migrates it and checks that every type's table is
 * there; makes the store, the metrics and (with `options.worker`) the job worker.
 *
 * @throws {TargetTableError} When a type's table is missing: it would look ready and fail its
 * first upload, so the host refuses to start.
 */
export async function openHostServices(
  settings: HostSettings,
  options: HostServicesOptions = {},
): Promise<HostServices> {
  const uploadTypes = await loadUploadTypes(options.uploadTypesDir ?? UPLOAD_TYPES_DIR);
  const database = options.database ??
    await openDatabase({ url: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    await migrateToLatest(database);
    const problems = await findTargetProblems(database.kysely, uploadTypes.list());
    if (problems.length > 0) throw new TargetTableError(problems);
  } catch (err) {
    if (!options.database) await database.close().catch(() => {});
    throw err;
  }
  const metrics = createIntakeMetrics(database, {
    onCollectError: (metric, err) => log.warn("metric collector failed", { metric, cause: err }),
  });
  const store = new ObservedStore(createPostgresStore(database), metrics, options.onRunChange);
  const base = { settings, database, store, uploadTypes, inFlight: new Set<Promise<unknown>>() };
  if (!options.worker) return { ...base, metrics };
  const jobs = createJobWorker(base, options.worker);
  metrics.queueDepth.collect(async (gauge) => gauge.set({}, await jobs.queueDepth()));
  return { ...base, metrics, jobs };
}

/** The least time the database gets to close at shutdown, whatever the grace period. */
const CLOSE_MIN_MS = 5_000;

/**
 * Stops the job worker (running jobs get `graceMs` to finish, then go back to the queue), waits
 * for runs still processing during their request, then closes the database, each for at most
 * `graceMs` when given (the close at least 5 s). Returns false when the database did not close
 * in time.
 */
export async function closeHostServices(
  services: HostServices,
  graceMs?: number,
): Promise<boolean> {
  await services.jobs?.stop(graceMs ?? 0);
  const finished = await within(Promise.allSettled([...services.inFlight]), graceMs);
  // Their heartbeat stops with this process; a sweep elsewhere marks them interrupted.
  if (!finished) log.warn("runs still processing at shutdown", { runs: services.inFlight.size });
  services.metrics.dispose();
  // A database that holds its connections open without answering (a network partition, a hung
  // server) would hold the close, and the process, forever: measured, a server whose database
  // stopped answering never exited on SIGTERM. Its connections are abandoned with the process.
  // It gets at least CLOSE_MIN_MS: a grace of 0 hands work back at once but still closes cleanly.
  const closeMs = graceMs === undefined ? undefined : Math.max(graceMs, CLOSE_MIN_MS);
  const closed = await within(services.database.close(), closeMs);
  if (closed) {
    log.info("database closed", { database: services.database.kind });
  } else {
    log.warn("database did not close in time: its connections are abandoned", { ms: closeMs });
  }
  return closed;
}
