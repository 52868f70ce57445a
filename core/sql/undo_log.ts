/**
 * The undo log of committed runs, `ingest_undo`: each write of a commit records, in the same
 * statement and transaction, one row per target row it touched, compactly:
 *
 * - `key`: the key's values, a jsonb array in key order;
 * - `before`: the row's other config columns before the write, a jsonb array in config order
 *   (null for a row the run inserted);
 * - `after`: a 64-bit hash of those columns as the run left them (`hash_record_extended`; null
 *   for a row it deleted), enough to tell whether the row changed since without keeping it.
 *
 * Recording is set-based: the write returns the undo row of each row it wrote, and the same
 * statement inserts them (`with w as (update … returning …) insert into ingest_undo select …`).
 * An update reads the row as it was through a second reference to the target in its `FROM` (the
 * statement's snapshot), since `RETURNING` sees only the new values.
 *
 * @module
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { TargetColumn, TargetTable } from "../store.ts";

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;

/** The columns an undo row keeps before and hashes after: every config column but the key. */
export function undoColumns(target: TargetTable): TargetColumn[] {
  return target.columns.filter((c) => !target.key.includes(c.name));
}

/** The key columns of `target`, in key order. */
export function keyColumns(target: TargetTable): TargetColumn[] {
  return target.key.map((k) => target.columns.find((c) => c.name === k)!);
}

/** `jsonb_build_array(a.c1, …)` over `columns`, chunked (functions take at most 100 arguments). */
export function jsonbArray(columns: readonly string[], alias: string): RawBuilder<unknown> {
  const chunks: RawBuilder<unknown>[] = [];
  for (let i = 0; i < columns.length; i += 90) {
    const refs = columns.slice(i, i + 90).map((c) => sql.ref(`${alias}.${c}`));
    chunks.push(sql`jsonb_build_array(${sql.join(refs)})`);
  }
  return chunks.length ? sql.join(chunks, sql` || `) : sql`'[]'::jsonb`;
}

/** The hash `after` keeps of row `alias`: its undo columns as a record. */
export function rowHash(target: TargetTable, alias: string): RawBuilder<unknown> {
  const columns = undoColumns(target).map((c) => sql.ref(`${alias}.${c.name}`));
  return columns.length ? sql`hash_record_extended(row(${sql.join(columns)}), 0)` : sql`0::bigint`;
}

/**
 * The `RETURNING` list of a write that records undo rows: the key of row `key`, the values of row
 * `before` and the hash of row `after` (null for a row that was not there before, or is not
 * after).
 */
export function undoReturning(
  target: TargetTable,
  rows: { key: string; before: string | null; after: string | null },
): RawBuilder<unknown> {
  const columns = undoColumns(target).map((c) => c.name);
  const before = rows.before === null ? sql`null::jsonb` : jsonbArray(columns, rows.before);
  const after = rows.after === null ? sql`null::bigint` : rowHash(target, rows.after);
  return sql`${jsonbArray(target.key, rows.key)} as ${sql.id("$key")},
    ${before} as ${sql.id("$before")}, ${after} as ${sql.id("$after")}`;
}

/**
 * Runs `write` (an `INSERT`, `UPDATE` or `DELETE` whose `RETURNING` is
 * {@linkcode undoReturning}) and records its undo rows for `runId` in the same statement.
 * Returns how many rows it wrote.
 */
export async function writeWithUndo(
  db: Db,
  runId: string,
  write: RawBuilder<unknown>,
): Promise<number> {
  const result = await sql`
    with w as (${write})
    insert into ingest_undo (run_id, key, before, after)
    select ${runId}::uuid, ${sql.ref("w.$key")}, ${sql.ref("w.$before")}, ${sql.ref("w.$after")}
    from w
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
