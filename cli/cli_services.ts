/**
 * The server's services for a CLI command: the same settings, database (migrated) and upload
 * types as `main.ts`, with `--database-url` in front of `DATABASE_URL`. Upload types load first
 * and on their own, so an unknown type is reported before the database is touched. Server logs
 * are off below `warn` unless `LOG_LEVEL` is set.
 *
 * @module
 */
import type { UploadTypeRegistry } from "../core/config/registry.ts";
import { loadUploadTypes } from "../server/load_upload_types.ts";
import { log } from "../server/log.ts";
import { openServices, type Services } from "../server/services.ts";
import { loadSettings } from "../server/settings.ts";
import { UsageError } from "./args.ts";

const UPLOAD_TYPES_DIR = new URL("../config/upload_types/", import.meta.url);

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
  env: (name: string) => string | undefined,
  databaseUrl: string | undefined,
): Promise<Services> {
  let settings;
  try {
    settings = loadSettings(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // The server's JSON log lines (run created, committed, …) would bury the CLI's own output;
  // they appear when LOG_LEVEL asks for them.
  log.setLevel(env("LOG_LEVEL") ? settings.logLevel : "warn");
  return await openServices(
    { ...settings, databaseUrl: databaseUrl ?? settings.databaseUrl },
    { uploadTypesDir: UPLOAD_TYPES_DIR },
  );
}

/** Where the data is, for messages: never the URL itself, which may hold a password. */
export function describeDatabase(services: Services): string {
  return services.database.kind === "pglite"
    ? `PGlite at ${services.settings.dataDir}`
    : "PostgreSQL";
}
