/**
 * The one place that picks a database engine: PostgreSQL when given a `postgres://` URL,
 * embedded PGlite otherwise.
 *
 * @example Embedded, in memory
 * ```ts
 * import { openDatabase } from "./open_database.ts";
 * import { migrateToLatest } from "./migrate.ts";
 *
 * const db = await openDatabase({});
 * try {
 *   await migrateToLatest(db);
 *   if (db.kind !== "pglite") throw new Error(db.kind);
 * } finally {
 *   await db.close();
 * }
 * ```
 *
 * @module
 */
import type { Database } from "./database.ts";
import { openPgliteDatabase } from "./pglite_database.ts";
import { openPostgresDatabase } from "./postgres_database.ts";

/** Where the data lives. */
export interface OpenDatabaseOptions {
  /** A `postgres://` or `postgresql://` URL; anything else (or none) means embedded PGlite. */
  url?: string;
  /** PGlite's data directory; undefined or `"memory://"` keeps it in memory (tests). */
  dataDir?: string;
  /** Most PostgreSQL connections in the pool. @default 10 */
  poolSize?: number;
}

/** Opens PostgreSQL (pooled, through postgres.js) for a `postgres://` URL, else PGlite. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url !== undefined && /^postgres(ql)?:\/\//i.test(options.url)) {
    return await openPostgresDatabase({ url: options.url, poolSize: options.poolSize });
  }
  if (options.url !== undefined && options.url !== "") {
    // Only the scheme goes into the message: the rest may hold a password.
    const scheme = options.url.split(":")[0];
    throw new TypeError(
      `Cannot open database URL with scheme "${scheme}": expected postgres:// or postgresql://`,
    );
  }
  return await openPgliteDatabase({ dataDir: options.dataDir });
}
