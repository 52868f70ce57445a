/**
 * Commit of a reviewed run: applies exactly what was reviewed to the target table, in the
 * caller's transaction, from the run's classified staging table (new and changed rows) and
 * `ingest_rows` (rows a replace deletes), recording the undo log (`undo_log.ts`) as it writes.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import { IngestError } from "../../core/errors.ts";
import type { ExcludedCounts, TargetTable } from "../../core/ports.ts";
import { dropRowIndex } from "./classify.ts";
import { intArray, jsonbObject, keyJoin, targetScanGuard, typedValues } from "./sql_fragments.ts";
import { changesOf, keyMatch, type StagedColumn } from "./staged_values.ts";
import { insertFromStaging, updateFromStaging } from "./target_writes.ts";
import { STAGE, stagingTable } from "./stage_tables.ts";
import { undoReturning, writeWithUndo } from "./undo.ts";

type Db = IntakeDb;

/** How many rows each action wrote, and how many rows `excludeRows` left out, by action. */
export interface AppliedCounts {
  inserted: number;
  updated: number;
  deleted: number;
  excluded: ExcludedCounts;
}

/**
 * Records the reviewer's last exclusions, refuses a stale review (`stale_review` with
 * `details.rows`), then writes. The caller holds the table's commit lock.
 */
export async function applyReviewedRun(
  trx: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
  excludeRows: readonly number[],
): Promise<AppliedCounts> {
  const staged = sql.table(stagingTable(runId));
  // Inside the commit's transaction: back if the commit fails. A committed run's kept rows are
  // read seldom (the audit): paging them scans the table, which beats rebuilding the index here.
  await dropRowIndex(trx, runId);
  await targetScanGuard(true).execute(trx);
  // Adds to the exclusions saved during review; touching only those rows keeps a large run's
  // commit from rewriting every staged row.
  const excluded: ExcludedCounts = { new: 0, changed: 0, deleted: 0 };
  if (excludeRows.length > 0) {
    const { rows } = await sql<{ action: string; n: number }>`
      with s as (
        update ${staged} set ${sql.id(STAGE.excluded)} = true
        where ${sql.ref(STAGE.row)} in ${intArray(excludeRows)} and not ${sql.ref(STAGE.excluded)}
        returning ${sql.ref(STAGE.action)} as action
      ), r as (
        update ingest_rows set excluded = true
        where run_id = ${runId} and row_number in ${intArray(excludeRows)} and not excluded
        returning action
      )
      select action, count(*)::int as n from (select action from s union all select action from r) a
      group by action
    `.execute(trx);
    for (const r of rows) {
      if (r.action in excluded) excluded[r.action as keyof ExcludedCounts] += Number(r.n);
    }
  }
  await assertFresh(trx, runId, target, columns);

  const compared = columns.filter((c) => !target.key.includes(c.name));
  const action = sql.ref(`s.${STAGE.action}`);
  const included = sql`not ${sql.ref(`s.${STAGE.excluded}`)}`;
  let updated = 0;
  if (target.writeMode !== "insert" && compared.length > 0) {
    updated = await updateFromStaging(
      trx,
      runId,
      target,
      columns,
      sql`${action} = 'changed' and ${included}`,
    );
  }
  // No key of these exists in the target: assertFresh made sure under the lock.
  const inserted = await insertFromStaging(
    trx,
    runId,
    target,
    columns,
    sql`${action} = 'new' and ${included}`,
  );
  const deleted = target.writeMode === "replace" ? await deleteRows(trx, runId, target) : 0;
  return { inserted, updated, deleted, excluded };
}

/**
 * Throws `stale_review` when a row the commit would write no longer matches the review: a new
 * row's key now exists, a changed row's changes differ now (or its row is gone), a row to
 * delete changed or is gone.
 */
async function assertFresh(
  trx: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
): Promise<void> {
  const staged = sql.table(stagingTable(runId));
  const t = sql.table(target.table);
  const compared = columns.filter((c) => !target.key.includes(c.name));
  const row = sql.ref(`s.${STAGE.row}`);
  const action = sql.ref(`s.${STAGE.action}`);
  const included = sql`not ${sql.ref(`s.${STAGE.excluded}`)}`;
  const found = sql.ref(`t.${target.key[0]}`);
  const names = columns.map((c) => c.name);
  const stale = await sql<{ row_number: number }>`
    select ${row} as row_number from ${staged} s join ${t} t on ${keyMatch(target, "t", "s")}
    where ${action} = 'new' and ${included}
    union all
    select ${row} from ${staged} s left join ${t} t on ${keyMatch(target, "t", "s")}
    where ${action} = 'changed' and ${included}
      and (${found} is null
        or ${changesOf(compared, "t", "s")} is distinct from ${sql.ref(`s.${STAGE.changes}`)})
    union all
    select r.row_number from ingest_rows r
    cross join lateral ${typedValues(target, "r")} p
    left join ${t} t on ${keyJoin(target, "t", "p")}
    where r.run_id = ${runId} and r.action = 'deleted' and not r.excluded
      and (case when ${found} is null then null else ${jsonbObject(names, "t")} end)
        is distinct from r.before
    order by 1
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

function deleteRows(trx: Db, runId: string, target: TargetTable): Promise<number> {
  return writeWithUndo(
    trx,
    runId,
    sql`
    delete from ${sql.table(target.table)} t
    using ingest_rows s cross join lateral ${typedValues(target)} p
    where s.run_id = ${runId} and s.action = 'deleted' and not s.excluded
      and ${keyJoin(target, "t", "p")}
    returning ${undoReturning(target, { key: "t", before: "t", after: null })}
  `,
  );
}
