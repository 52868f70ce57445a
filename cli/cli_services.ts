/**
 * The host's services for a CLI command (`host/deno/services.ts`): the same settings, database
 * (migrated) and upload types as the server, with `--database-url` in front of `DATABASE_URL`.
 * Upload types load first and on their own, so an unknown type is reported before the database
 * is touched. Logs are off below `warn` unless `LOG_LEVEL` is set.
 *
 * @module
 */
import type { UploadTypeRegistry } from "../core/config/registry.ts";
import { loadUploadTypes } from "../host/deno/load_upload_types.ts";
import { log } from "../host/deno/log.ts";
import { type HostServices, openHostServices, UPLOAD_TYPES_DIR } from "../host/deno/services.ts";
import { type Env, loadHostSettings } from "../host/deno/settings.ts";
import { UsageError } from "./args.ts";

/** The configured upload types (what the server loads). */
export function loadCliUploadTypes(): Promise<UploadTypeRegistry> {
  return loadUploadTypes(UPLOAD_TYPES_DIR);
}

/**
 * Opens the database named by `databaseUrl`, else `DATABASE_URL`, else PGlite under
 * `INTAKE_DATA_DIR` (default `.data/`), and migrates it.
 *
 * @throws {UsageError} When a setting in the environment is invalid.
 */
export async function openCliServices(
  env: Env,
  databaseUrl: string | undefined,
): Promise<HostServices> {
  let settings;
  try {
    settings = loadHostSettings(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // The JSON log lines of a run's lifecycle (run created, committed, …) would bury the CLI's own
  // output; they appear when LOG_LEVEL asks for them.
  log.setLevel(env("LOG_LEVEL") ? settings.logLevel : "warn");
  return await openHostServices({ ...settings, databaseUrl: databaseUrl ?? settings.databaseUrl });
}

/** Where the data is, for messages: never the URL itself, which may hold a password. */
export function describeDatabase(services: HostServices): string {
  return services.database.kind === "pglite"
    ? `PGlite at ${services.settings.dataDir}`
    : "PostgreSQL";
}
