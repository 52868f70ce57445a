/**
 * The services the server's routes use: the host's (`host/deno/services.ts`: database, store,
 * upload types, metrics, job worker) plus access, the home page's last runs, the upload slots and
 * the readiness checks. Built once at start (`openServices`) and handed to routes by the app
 * (`server/app.ts`) through `ctx.state`.
 *
 * @module
 */
import {
  closeHostServices,
  type HostServices,
  type HostServicesOptions,
  openHostServices,
} from "../host/deno/services.ts";
import { type Access, createAccess } from "./auth/access.ts";
import type { Principal } from "./auth/principal.ts";
import { LastRuns } from "./last_runs.ts";
import {
  databaseCheck,
  migrationsCheck,
  type ReadinessCheck,
  uploadTypesCheck,
  workerCheck,
} from "./readiness.ts";
import type { Settings } from "./settings.ts";
import { UploadSlots } from "./upload_slots.ts";

/** Everything a request handler may use. */
export interface Services extends HostServices {
  settings: Settings;
  /** What `/health/ready` runs: `database`, `migrations`, `worker`, plus any added later. */
  readinessChecks: ReadinessCheck[];
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

/**
 * Opens the host's services (database migrated, upload types loaded, a job worker when
 * `options.worker` is given: the caller starts it) and adds the server's.
 */
export async function openServices(
  settings: Settings,
  options: Omit<HostServicesOptions, "onRunChange"> = {},
): Promise<Services> {
  // The store tells the home page's cache of last runs about each change; the cache reads the
  // store. No run changes before the cache exists: the worker is not started yet.
  const host = await openHostServices(settings, {
    ...options,
    onRunChange: () => lastRuns.invalidate(),
  });
  const lastRuns = new LastRuns(host.store);
  const { database, uploadTypes, jobs } = host;
  return {
    ...host,
    settings,
    readinessChecks: [
      databaseCheck(database),
      migrationsCheck(database),
      workerCheck(() => jobs),
      uploadTypesCheck(database, uploadTypes),
    ],
    access: await createAccess(settings),
    lastRuns,
    uploadSlots: new UploadSlots(settings.maxConcurrentUploads),
  };
}

/** Closes the services ({@linkcode closeHostServices}); false when the database did not close. */
export function closeServices(services: Services, graceMs?: number): Promise<boolean> {
  return closeHostServices(services, graceMs);
}
