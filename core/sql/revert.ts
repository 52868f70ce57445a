/**
 * Revert of a committed run from its undo log (`undo_log.ts`), in the caller's transaction under
 * the table's commit lock: refused with `revert_conflict` when any row the run wrote is no longer
 * as the run left it (a row it inserted or changed differs or is gone, a row it deleted is back);
 * otherwise the rows it inserted are deleted, the rows it changed get their values back and the
 * rows it deleted are inserted again, each in one statement.
 *
 * @module
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import { sqlType } from "../config/sql_types.ts";
import { IngestError } from "../errors.ts";
import type { RevertCounts, TargetColumn, TargetTable } from "../store.ts";
import { idList, targetScanGuard } from "./sql_fragments.ts";
import { keyColumns, rowHash, undoColumns } from "./undo_log.ts";

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;

/** How many conflicting keys a `revert_conflict` lists. */
const SAMPLE = 20;

/** Element `i` of the jsonb array `u.<field>`, as `column`'s SQL type. */
function element(field: "key" | "before", i: number, column: TargetColumn): RawBuilder<unknown> {
  return sql`(${sql.ref(`u.${field}`)} ->> ${sql.lit(i)})::${sql.raw(sqlType(column))}`;
}

/** `t.k1 = (u.key ->> 0)::type AND …`: the target row of an undo row. */
function keyOf(target: TargetTable): RawBuilder<unknown> {
  return sql.join(
    keyColumns(target).map((c, i) => sql`${sql.ref(`t.${c.name}`)} = ${element("key", i, c)}`),
    sql` and `,
  );
}

/**
 * Reverts run `runId` on `target`. The caller holds the table's commit lock.
 *
 * @throws {IngestError} `revert_conflict` with `details.keys` (up to 20 keys, as objects) and
 * `details.conflicts` (how many rows differ) when rows changed since the run; nothing is written.
 */
export async function revertRun(
  trx: Db,
  runId: string,
  target: TargetTable,
): Promise<RevertCounts> {
  const t = sql.table(target.table);
  const found = sql.ref(`t.${target.key[0]}`);
  await targetScanGuard(true).execute(trx);
  const conflicts = await sql<{ key: unknown; n: number }>`
    select u.key, count(*) over ()::int as n
    from ingest_undo u left join ${t} t on ${keyOf(target)}
    where u.run_id = ${runId}
      and (case when ${found} is null then null else ${rowHash(target, "t")} end)
        is distinct from u.after
    limit ${SAMPLE}
  `.execute(trx);
  if (conflicts.rows.length > 0) {
    const keys = conflicts.rows.map((r) => {
      const values = (typeof r.key === "string" ? JSON.parse(r.key) : r.key) as unknown[];
      return Object.fromEntries(target.key.map((k, i) => [k, values[i]]));
    });
    const n = Number(conflicts.rows[0].n);
    throw new IngestError(
      "revert_conflict",
      `Cannot revert the run: ${n} row(s) it wrote changed since, e.g. ` +
        `${JSON.stringify(keys[0])}; nothing was reverted`,
      { runId, conflicts: n, keys },
    );
  }

  const deleted = await sql`
    delete from ${t} t using ingest_undo u
    where u.run_id = ${runId} and u.before is null and ${keyOf(target)}
  `.execute(trx);
  const columns = undoColumns(target);
  let restored = 0;
  if (columns.length > 0) {
    const result = await sql`
      update ${t} t set ${
      sql.join(columns.map((c, i) => sql`${sql.id(c.name)} = ${element("before", i, c)}`))
    }
      from ingest_undo u
      where u.run_id = ${runId} and u.before is not null and u.after is not null
        and ${keyOf(target)}
    `.execute(trx);
    restored = Number(result.numAffectedRows ?? 0);
  }
  const values = [
    ...keyColumns(target).map((c, i) => element("key", i, c)),
    ...columns.map((c, i) => element("before", i, c)),
  ];
  const reinserted = await sql`
    insert into ${t} (${idList([...target.key, ...columns.map((c) => c.name)])})
    select ${sql.join(values)} from ingest_undo u
    where u.run_id = ${runId} and u.after is null
  `.execute(trx);
  await sql`delete from ingest_undo where run_id = ${runId}`.execute(trx);
  return {
    deleted: Number(deleted.numAffectedRows ?? 0),
    restored,
    reinserted: Number(reinserted.numAffectedRows ?? 0),
  };
}
