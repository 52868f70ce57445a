/**
 * The services a running Intake needs (database, store, upload types, settings), opened once at
 * start and handed to routes through `ctx.state` by the root middleware.
 *
 * @module
 */
import type { UploadTypeRegistry } from "../core/config/registry.ts";
import type { Database } from "../db/database.ts";
import type { Store } from "../core/ports.ts";
import { findTargetProblems } from "../store/postgres/target_check.ts";
import { TargetTableError } from "../core/target_readiness.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { openDatabase } from "../db/open_database.ts";
import type { JobWorker } from "./jobs/job_worker.ts";
import { type Access, createAccess } from "./auth/access.ts";
import type { Principal } from "./auth/principal.ts";
import { LastRuns } from "./last_runs.ts";
import { loadUploadTypes } from "./load_upload_types.ts";
import { log } from "./log.ts";
import { createIntakeMetrics, type IntakeMetrics } from "./metrics/intake_metrics.ts";
import { ObservedStore } from "./observed_store.ts";
import { createPostgresStore } from "../store/postgres/postgres_store.ts";
import {
  databaseCheck,
  migrationsCheck,
  type ReadinessCheck,
  uploadTypesCheck,
  workerCheck,
  type WorkerProbe,
} from "./readiness.ts";
import type { Settings } from "./settings.ts";
import { UploadSlots } from "./upload_slots.ts";
import { within } from "./within.ts";

/** Everything a request handler may use. */
export interface Services {
  settings: Settings;
  database: Database;
  store: Store;
  uploadTypes: UploadTypeRegistry;
  /** Runs still processing in this process, awaited on shutdown. */
  inFlight: Set<Promise<unknown>>;
  /** What `/metrics` renders; a job queue wires `metrics.queueDepth.collect(…)`. */
  metrics: IntakeMetrics;
  /** What `/health/ready` runs: `database`, `migrations`, `worker`, plus any added later. */
  readinessChecks: ReadinessCheck[];
  /** The background worker, once there is one; the `worker` check asks its `status()`. */
  worker?: WorkerProbe;
  /**
   * The job queue and worker of this instance, when it runs one (`startJobWorker`, also set as
   * `worker`); large uploads and `?async=1` are queued only then.
   */
  jobs?: JobWorker;
  /** Users, tokens, sessions and rate limits (`server/auth/`). */
  access: Access;
  /** The newest run per upload type for the home page, kept current by `store`. */
  lastRuns: LastRuns;
  /** Uploads read in requests at once, capped by `INTAKE_MAX_CONCURRENT_UPLOADS`. */
  uploadSlots: UploadSlots;
}

/** `ctx.state` of every route. */
export interface AppState {
  services: Services;
  /** Who the request acts as (set by the access middleware); null only on public paths. */
  principal: Principal | null;
}

const UPLOAD_TYPES_DIR = new URL("../config/upload_types/", import.meta.url);

/** Opens the database, migrates it and loads the upload types. */
export async function openServices(
  settings: Settings,
  options: { database?: Database; uploadTypesDir?: URL } = {},
): Promise<Services> {
  const uploadTypes = await loadUploadTypes(options.uploadTypesDir ?? UPLOAD_TYPES_DIR);
  const database = options.database ??
    await openDatabase({ url: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    await migrateToLatest(database);
    // A type whose table is missing would look ready and fail its first upload: refuse to start.
    const problems = await findTargetProblems(database.kysely, uploadTypes.list());
    if (problems.length > 0) throw new TargetTableError(problems);
  } catch (err) {
    if (!options.database) await database.close().catch(() => {});
    throw err;
  }
  const metrics = createIntakeMetrics(database, {
    onCollectError: (metric, err) => log.warn("metric collector failed", { metric, cause: err }),
  });
  const store = new ObservedStore(
    createPostgresStore(database),
    metrics,
    () => lastRuns.invalidate(),
  );
  const lastRuns = new LastRuns(store);
  const services: Services = {
    settings,
    database,
    store,
    uploadTypes,
    inFlight: new Set(),
    metrics,
    readinessChecks: [],
    access: await createAccess(settings),
    lastRuns,
    uploadSlots: new UploadSlots(settings.maxConcurrentUploads),
  };
  services.readinessChecks.push(
    databaseCheck(database),
    migrationsCheck(database),
    workerCheck(() => services.worker),
    uploadTypesCheck(database, uploadTypes),
  );
  return services;
}

/** The least time the database gets to close at shutdown, whatever the grace period. */
const CLOSE_MIN_MS = 5_000;

/**
 * Stops the job worker (running jobs get `graceMs` to finish, then go back to the queue), waits
 * for runs still processing during their request, then closes the database, each for at most
 * `graceMs` when given (the close at least 5 s). Returns false when the database did not close
 * in time.
 */
export async function closeServices(services: Services, graceMs?: number): Promise<boolean> {
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

let installed: Services | undefined;

/** Makes `services` the ones routes see (main.ts at start, tests per suite). */
export function installServices(services: Services): void {
  installed = services;
}

/** The installed services; throws when start did not install any. */
export function currentServices(): Services {
  if (!installed) throw new Error("Services are not installed: call installServices() first");
  return installed;
}
