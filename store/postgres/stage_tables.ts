/**
 * Typed staging: each run's valid rows in a table of their own, `ingest_stage_<run id as hex>`,
 * with the file's config columns typed as the target declares them (`staged_values.ts`) beside
 * the row's place in the file. COPY parses each value once into its type; duplicate checks,
 * classification and commit then compare and write plain typed columns. (A shared jsonb table
 * made PostgreSQL rebuild every value through `jsonb_populate_record` on every pass.)
 *
 * Invalid rows, few as a rule, stay in `ingest_rows` with their raw cells and errors; so do the
 * rows a replace would delete.
 *
 * Columns of our own start with `$`, which config column names cannot contain:
 * - `$row`, `$line`: where the record is in the file.
 * - `$raw`: the record's fields as a JSON array, only when they cannot be rebuilt from the
 *   typed values (see `cellText`); a valid row needs them only if it turns out to repeat a key.
 * - `$repeat`: true when the row's key may repeat an earlier row's (`key_filter.ts`).
 * - `$action`, `$changes`, `$excluded`: added by classification, for review; a direct run's
 *   table never has them.
 *
 * A direct run's table is UNLOGGED: it lives between upload and commit, and a crash fails the
 * run anyway. A staged run's table waits for review, so it is logged like the run record.
 * Tables go with the run's staging (a direct commit, discard, failure); a reviewed run's stays
 * after its commit as the record of what it applied, until the retention purge
 * (`retention.ts`). A table whose run is no longer active (its process died) and was not
 * committed is swept when the next run opens its staging.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import { isUuid } from "./runs.ts";
import type { StagedColumn } from "./staged_values.ts";

type Db = IntakeDb;

/** Our columns of a staging table (config column names cannot contain `$`). */
export const STAGE = Object.freeze({
  row: "$row",
  line: "$line",
  raw: "$raw",
  repeat: "$repeat",
  action: "$action",
  changes: "$changes",
  excluded: "$excluded",
});

const PREFIX = "ingest_stage_";

/** The name of a run's staging table. */
export function stagingTable(runId: string): string {
  // The name goes into DDL (quoted, still): only ever from a well-formed run id.
  if (!isUuid(runId)) throw new TypeError(`Cannot name a staging table for run "${runId}"`);
  return PREFIX + runId.replaceAll("-", "").toLowerCase();
}

/** The columns COPY writes, in the order the staging CSV has them. */
export function stagingCopyColumns(columns: readonly StagedColumn[]): string[] {
  return [STAGE.row, STAGE.line, STAGE.raw, STAGE.repeat, ...columns.map((c) => c.name)];
}

/** Creates the run's staging table for `columns`; `unlogged` skips the write-ahead log. */
export async function createStagingTable(
  db: Db,
  runId: string,
  columns: readonly StagedColumn[],
  unlogged: boolean,
): Promise<void> {
  const definitions = columns.map((c) => sql`${sql.id(c.name)} ${sql.raw(c.stagedType)}`);
  await sql`
    create ${sql.raw(unlogged ? "unlogged " : "")}table ${sql.table(stagingTable(runId))} (
      ${sql.id(STAGE.row)} integer not null,
      ${sql.id(STAGE.line)} integer not null,
      ${sql.id(STAGE.raw)} text,
      ${sql.id(STAGE.repeat)} boolean
      ${sql.join(definitions.map((d) => sql`, ${d}`), sql``)}
    )
  `.execute(db);
}

/** What a run's staging table holds, read back from the catalog. */
export interface StagingTableInfo {
  /** The config columns, in file order. */
  columns: StagedColumn[];
  /** True once classification added its columns (the run was staged for review). */
  classified: boolean;
}

/** Describes the run's staging table, or returns null when it has none. */
export async function describeStagingTable(
  db: Db,
  runId: string,
): Promise<StagingTableInfo | null> {
  if (!isUuid(runId)) return null;
  const { rows } = await sql<{ name: string; type: string }>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a
    where a.attrelid = to_regclass(${`"${stagingTable(runId)}"`})
      and a.attnum > 0 and not a.attisdropped
    order by a.attnum
  `.execute(db);
  if (rows.length === 0) return null;
  const ours = new Set<string>(Object.values(STAGE));
  return {
    columns: rows.filter((r) => !ours.has(r.name)).map((r) => ({
      name: r.name,
      stagedType: r.type,
    })),
    classified: rows.some((r) => r.name === STAGE.action),
  };
}

/** Drops the run's staging table if it has one. */
export async function dropStagingTable(db: Db, runId: string): Promise<void> {
  if (!isUuid(runId)) return;
  await sql`drop table if exists ${sql.table(stagingTable(runId))}`.execute(db);
}

/**
 * Drops staging tables whose run is gone or no longer active (failed, discarded): left behind
 * when a process died mid-run. A committed (or reverted) run's table is its audit record, kept
 * until its rows are purged. Returns how many it dropped.
 */
export async function sweepStagingTables(db: Db): Promise<number> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_class c
    where c.relkind = 'r' and c.relname like ${PREFIX.replaceAll("_", "\\_") + "%"}
      and pg_table_is_visible(c.oid)
      and not exists (
        select 1 from ingest_runs r
        where replace(r.id::text, '-', '') = substr(c.relname, ${PREFIX.length + 1})
          and (r.status in ('receiving', 'processing', 'staged', 'committing')
            or (r.status in ('committed', 'reverted') and r.rows_purged_at is null))
      )
  `.execute(db);
  for (const { name } of rows) await sql`drop table if exists ${sql.table(name)}`.execute(db);
  return rows.length;
}
