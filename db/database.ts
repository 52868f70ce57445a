/**
 * The seam between core and a concrete PostgreSQL driver. Core speaks Kysely for queries; the
 * only thing drivers do differently is the bulk path (COPY), so that is all this adds.
 *
 * Implementations live in `db/` (embedded PGlite, or PostgreSQL through postgres.js).
 *
 * @module
 */
import type { Kysely } from "kysely";
import type { IntakeTables } from "../store/postgres/tables.ts";

/** Which engine sits behind a {@linkcode Database}. */
export type DatabaseKind = "pglite" | "postgres";

/** What core needs from a database connection. */
export interface Database {
  /** The engine, for diagnostics and for choosing batch sizes. */
  readonly kind: DatabaseKind;
  /** Query builder over the pool (postgres) or the single embedded connection (PGlite). */
  readonly kysely: Kysely<IntakeTables>;
  /**
   * Bulk-loads one batch of rows with `COPY table (columns) FROM STDIN (FORMAT csv)`.
   * `csv` holds complete CSV records without a header; identifiers are quoted by the driver.
   */
  copyCsv(
    table: string,
    columns: readonly string[],
    csv: string | Uint8Array<ArrayBuffer>,
  ): Promise<void>;
  /**
   * Begins a {@linkcode BulkTransaction}. Absent on PGlite: its one connection, held by a
   * transaction for a whole upload, would keep every other query waiting that long.
   */
  beginBulk?(): Promise<BulkTransaction>;
  /** Runs `SELECT 1` and returns the round-trip time in milliseconds. */
  ping(): Promise<number>;
  /** Pool figures for health and metrics (PGlite reports a pool of one). */
  poolStats(): { size: number; inUse: number; waiting: number };
  /** Closes the pool or the embedded instance. */
  close(): Promise<void>;
}

/**
 * A transaction on a connection of its own whose COPY goes on beside the caller (as
 * {@linkcode Database.copyCsv} does): a bulk load that lands whole or not at all.
 */
export interface BulkTransaction {
  /** Query builder bound to the transaction; one statement at a time. */
  readonly kysely: Kysely<IntakeTables>;
  /** Bulk-loads one batch of rows in the transaction, as {@linkcode Database.copyCsv}. */
  copyCsv: Database["copyCsv"];
  /** Commits; the transaction is over whether or not that succeeds. */
  commit(): Promise<void>;
  /** Rolls back (a lost connection has already); never rejects. */
  rollback(): Promise<void>;
}
