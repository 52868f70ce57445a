/**
 * The services a running Intake needs (database, store, upload types, settings), opened once at
 * start and handed to routes through `ctx.state` by the root middleware.
 *
 * @module
 */
import type { UploadTypeRegistry } from "../core/config/registry.ts";
import type { Database } from "../core/database.ts";
import { SqlStore } from "../core/sql/sql_store.ts";
import type { Store } from "../core/store.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { openDatabase } from "../db/open_database.ts";
import { loadUploadTypes } from "./load_upload_types.ts";
import type { Settings } from "./settings.ts";

/** Everything a request handler may use. */
export interface Services {
  settings: Settings;
  database: Database;
  store: Store;
  uploadTypes: UploadTypeRegistry;
  /** Runs still processing in this process, awaited on shutdown. */
  inFlight: Set<Promise<unknown>>;
}

/** `ctx.state` of every route. */
export interface AppState {
  services: Services;
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
  await migrateToLatest(database);
  return {
    settings,
    database,
    store: new SqlStore(database),
    uploadTypes,
    inFlight: new Set(),
  };
}

/** Waits for runs still processing, then closes the database. */
export async function closeServices(services: Services): Promise<void> {
  await Promise.allSettled([...services.inFlight]);
  await services.database.close();
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
