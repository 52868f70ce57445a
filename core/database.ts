/**
 * The seam between core and a concrete PostgreSQL driver. Core speaks Kysely for queries; the
 * only thing drivers do differently is the bulk path (COPY), so that is all this adds.
 *
 * Implementations live in `db/` (embedded PGlite, or PostgreSQL through postgres.js).
 *
 * @module
 */
import type { Kysely } from "kysely";

/** Which engine sits behind a {@linkcode Database}. */
export type DatabaseKind = "pglite" | "postgres";

/** What core needs from a database connection. */
export interface Database {
  /** The engine, for diagnostics and for choosing batch sizes. */
  readonly kind: DatabaseKind;
  /** Query builder over the pool (postgres) or the single embedded connection (PGlite). */
  // deno-lint-ignore no-explicit-any
  readonly kysely: Kysely<any>;
  /**
   * Bulk-loads one batch of rows with `COPY table (columns) FROM STDIN (FORMAT csv)`.
   * `csv` holds complete CSV records without a header; identifiers are quoted by the driver.
   */
  copyCsv(
    table: string,
    columns: readonly string[],
    csv: string | Uint8Array<ArrayBuffer>,
  ): Promise<void>;
  /** Runs `SELECT 1` and returns the round-trip time in milliseconds. */
  ping(): Promise<number>;
  /** Pool figures for health and metrics (PGlite reports a pool of one). */
  poolStats(): { size: number; inUse: number; waiting: number };
  /** Closes the pool or the embedded instance. */
  close(): Promise<void>;
}
