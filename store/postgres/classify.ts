/**
 * Classification of a staged run for review, set-based in SQL: new / changed / unchanged by key,
 * then (replace mode) deleted.
 *
 * The run's typed staging table gets three columns for it (`$action`, `$changes`, `$excluded`;
 * adding a column with a constant default rewrites nothing), and one `UPDATE` touches only the
 * rows the target already has: a row stays `new` unless found. A changed row keeps its field
 * changes, which also hold the target's old values of the columns that differ (the others equal
 * the staged values), so commit can tell when the target moved since the review.
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import type { TargetTable } from "../../core/ports.ts";
import { idList, jsonbObject, targetScanGuard } from "./sql_fragments.ts";
import { changesOf, differs, keyMatch, type StagedColumn } from "./staged_values.ts";
import { describeStagingTable, STAGE, stagingTable } from "./stage_tables.ts";

type Db = IntakeDb;

/**
 * Classifies every valid row of a staged run against the target as it is now (again, on a
 * refresh). Runs in the caller's transaction, after the run's duplicate keys were marked
 * (`duplicate_keys.ts`): the rows of a staging table change only by fixes, which check their
 * own keys, so a refresh has no new repeats to find (measured: the second check cost 0.28 s
 * per million rows and found nothing).
 */
export async function classifyRows(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
): Promise<void> {
  const staged = sql.table(stagingTable(runId));
  await dropRowIndex(db, runId);
  const again = (await describeStagingTable(db, runId))?.classified ?? false;
  await targetScanGuard(true).execute(db);
  await sql`
    alter table ${staged}
      add column if not exists ${sql.id(STAGE.action)} text not null default 'new',
      add column if not exists ${sql.id(STAGE.changes)} jsonb,
      add column if not exists ${sql.id(STAGE.excluded)} boolean not null default false
  `.execute(db);
  // Columns just added hold their defaults: only a refresh has a classification to undo (a
  // scan of every row, 0.14 s per million, that finds nothing otherwise).
  if (again) await resetClassification(db, runId);

  await markFoundRows(db, runId, target, columns, sql`true`);
  await targetScanGuard(false).execute(db);
  if (target.writeMode === "replace") await addDeletedRows(db, runId, target, columns);
  // The review pages through rows in file order, and through the changed rows alone when it
  // filters by a column (a change in it): without their own index a rare change meant reading
  // every row (1.3 s per million).
  await sql`
    create index ${sql.id(rowIndex(runId))} on ${staged} (${sql.id(STAGE.row)})
  `.execute(db);
  await sql`
    create index ${sql.id(changedIndex(runId))} on ${staged} (${sql.id(STAGE.row)})
    where ${sql.ref(STAGE.action)} = 'changed'
  `.execute(db);
}

/**
 * Marks the staged rows that `where` picks (a condition on `s`) and the target has by key as
 * changed (with their field changes) or unchanged; the others stay `new`.
 */
export async function markFoundRows(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
  where: RawBuilder<unknown>,
): Promise<void> {
  const compared = columns.filter((c) => !target.key.includes(c.name));
  await sql`
    update ${sql.table(stagingTable(runId))} s set
      ${sql.id(STAGE.action)} = case when ${differs(compared, "t", "s")}
        then 'changed' else 'unchanged' end,
      ${sql.id(STAGE.changes)} = ${changesOf(compared, "t", "s")}
    from ${sql.table(target.table)} t
    where ${keyMatch(target, "t", "s")} and ${where}
  `.execute(db);
}

/**
 * Drops the review's indexes on a staging table: set-based steps read the whole table, and with
 * sequential scans ruled out (`targetScanGuard`) they would read it through the index instead.
 */
export async function dropRowIndex(db: Db, runId: string): Promise<void> {
  await sql`drop index if exists ${sql.id(rowIndex(runId))}`.execute(db);
  await sql`drop index if exists ${sql.id(changedIndex(runId))}`.execute(db);
}

function rowIndex(runId: string): string {
  return `${stagingTable(runId)}_row`;
}

function changedIndex(runId: string): string {
  return `${stagingTable(runId)}_changed`;
}

async function resetClassification(db: Db, runId: string): Promise<void> {
  await sql`
    update ${sql.table(stagingTable(runId))}
    set ${sql.id(STAGE.action)} = 'new', ${sql.id(STAGE.changes)} = null
    where ${sql.ref(STAGE.action)} <> 'new'
  `.execute(db);
  await sql`delete from ingest_rows where run_id = ${runId} and action = 'deleted'`.execute(db);
}

async function addDeletedRows(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
): Promise<void> {
  const names = columns.map((c) => c.name);
  await sql`
    insert into ingest_rows (run_id, row_number, line, action, values, before)
    select ${runId}::uuid, -row_number() over (order by ${idList(target.key, "t")}), null,
      'deleted', to_jsonb(t), ${jsonbObject(names, "t")}
    from ${sql.table(target.table)} t
    where not exists (
      select 1 from ${sql.table(stagingTable(runId))} s where ${keyMatch(target, "t", "s")}
    )
  `.execute(db);
}
