/**
 * Typed staging (`store/postgres/stage_tables.ts`): a run's valid rows now live in a table of its
 * own, so `ingest_rows` keeps only invalid rows and rows a replace would delete. Its index by
 * action served paging through a million staged rows of one action; the primary key
 * (run, row) is enough for what is left.
 *
 * Runs still waiting with valid rows in `ingest_rows` (staged before this migration) cannot be
 * committed from there; they fail as interrupted, keeping their invalid rows for the report.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

const INTERRUPTED = JSON.stringify({
  type: "interrupted",
  message: "The run was staged before Intake changed how staged rows are kept; upload the file " +
    "again",
  details: {},
});

/** Drops the action index and fails runs staged the old way. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update ingest_runs set status = 'failed', error = ${INTERRUPTED}::jsonb,
      finished_at = now(), updated_at = now()
    where status in ('receiving', 'processing', 'staged', 'committing')
      and exists (
        select 1 from ingest_rows r
        where r.run_id = ingest_runs.id and r.action in ('pending', 'new', 'changed', 'unchanged')
      )
  `.execute(db);
  await sql`
    delete from ingest_rows where action in ('pending', 'new', 'changed', 'unchanged', 'deleted')
  `.execute(db);
  await db.schema.dropIndex("ingest_rows_action_idx").execute();
}

/** Restores the action index (runs failed on the way up stay failed). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("ingest_rows_action_idx").on("ingest_rows")
    .columns(["run_id", "action", "row_number"]).execute();
}
