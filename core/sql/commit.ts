/**
 * Commit: applies exactly what was reviewed to the target table, in the caller's transaction.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";
import { IngestError } from "../errors.ts";
import type { TargetTable } from "../store.ts";
import { idList, intArray, jsonbObject, keyJoin, lockTable, typedValues } from "./sql_fragments.ts";

// deno-lint-ignore no-explicit-any
type Db = Kysely<any>;

/** How many rows each action wrote. */
export interface AppliedCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/**
 * Locks the target for this commit, records the reviewer's exclusions, refuses a stale review
 * (`stale_review` with `details.rows`), then writes. Must run inside a transaction.
 */
export async function applyRun(
  trx: Db,
  runId: string,
  target: TargetTable,
  columns: readonly string[],
  excludeRows: readonly number[],
): Promise<AppliedCounts> {
  await lockTable(target.table).execute(trx);
  // Adds to the exclusions saved during review; touching only those rows keeps a large run's
  // commit from rewriting every staged row.
  if (excludeRows.length > 0) {
    await sql`
      update ingest_rows set excluded = true
      where run_id = ${runId} and row_number in ${intArray(excludeRows)} and not excluded
    `.execute(trx);
  }
  await assertFresh(trx, runId, target, columns);

  const actions = target.writeMode === "insert" ? ["new"] : ["new", "changed"];
  const updated = target.writeMode === "insert" ? 0 : await countAction(trx, runId, "changed");
  const written = await writeRows(trx, runId, target, columns, actions);
  const deleted = target.writeMode === "replace" ? await deleteRows(trx, runId, target) : 0;
  return { inserted: written - updated, updated, deleted };
}

async function assertFresh(
  trx: Db,
  runId: string,
  target: TargetTable,
  columns: readonly string[],
): Promise<void> {
  const found = sql.ref(`t.${target.key[0]}`);
  const stale = await sql<{ row_number: number }>`
    select s.row_number from ingest_rows s
    cross join lateral ${typedValues(target)} p
    left join ${sql.table(target.table)} t on ${keyJoin(target, "t", "p")}
    where s.run_id = ${runId} and not s.excluded and s.action in ('new', 'changed', 'deleted')
      and (case when ${found} is null then null else ${jsonbObject(columns, "t")} end)
        is distinct from s.before
    order by s.row_number
    limit 1000
  `.execute(trx);
  if (stale.rows.length === 0) return;
  const rows = stale.rows.map((r) => Number(r.row_number));
  throw new IngestError(
    "stale_review",
    `The target table changed since this run was staged: ${rows.length} reviewed row(s) differ ` +
      "now; refresh the review and look again",
    { rows },
  );
}

async function countAction(trx: Db, runId: string, action: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from ingest_rows
    where run_id = ${runId} and action = ${action} and not excluded
  `.execute(trx);
  return Number(r.rows[0].n);
}

async function writeRows(
  trx: Db,
  runId: string,
  target: TargetTable,
  columns: readonly string[],
  actions: readonly string[],
): Promise<number> {
  const updates = columns.filter((c) => !target.key.includes(c));
  const onConflict = target.writeMode === "insert"
    ? sql``
    : updates.length
    ? sql`on conflict (${idList(target.key)}) do update set ${
      sql.join(updates.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))
    }`
    : sql`on conflict (${idList(target.key)}) do nothing`;
  const result = await sql`
    insert into ${sql.table(target.table)} (${idList(columns)})
    select ${idList(columns, "p")} from ingest_rows s
    cross join lateral ${typedValues(target)} p
    where s.run_id = ${runId} and not s.excluded
      and s.action in (${sql.join(actions.map((a) => sql.lit(a)))})
    order by s.row_number
    ${onConflict}
  `.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

async function deleteRows(trx: Db, runId: string, target: TargetTable): Promise<number> {
  const result = await sql`
    delete from ${sql.table(target.table)} t
    using ingest_rows s cross join lateral ${typedValues(target)} p
    where s.run_id = ${runId} and s.action = 'deleted' and not s.excluded
      and ${keyJoin(target, "t", "p")}
  `.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
