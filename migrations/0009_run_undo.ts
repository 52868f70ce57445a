/**
 * Undo of committed runs (`store/postgres/undo.ts`): `ingest_undo` keeps, per run, each row its
 * commit wrote as its key (jsonb array), its other config columns before (jsonb array, null for
 * a row it inserted) and a hash of them after (null for a row it deleted). Runs get the status
 * `reverted`, who reverted them and when, and how many undo rows their commit kept (null for
 * runs committed before this migration, which cannot be reverted).
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

const STATUSES = "'queued', 'receiving', 'processing', 'staged', 'committing', 'committed', " +
  "'discarded', 'failed'";

/** Creates `ingest_undo`, adds the revert columns and allows the status `reverted`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Neither a foreign key nor an index: each would cost every commit more than the undo rows
  // themselves (an index on run_id doubled the cost of recording 100,000 rows on PostgreSQL),
  // while only a revert, a rare admin action, looks a run's rows up (by reading the table).
  await db.schema
    .createTable("ingest_undo")
    .addColumn("run_id", "uuid", (c) => c.notNull())
    .addColumn("key", "jsonb", (c) => c.notNull())
    .addColumn("before", "jsonb")
    .addColumn("after", "bigint")
    .execute();
  await db.schema.alterTable("ingest_runs")
    .addColumn("undo_rows", "bigint")
    .addColumn("reverted_at", "timestamptz")
    .addColumn("reverted_by", "text")
    .execute();
  await sql`alter table ingest_runs drop constraint ingest_runs_status_check`.execute(db);
  await sql`alter table ingest_runs add constraint ingest_runs_status_check
    check (status in (${sql.raw(STATUSES)}, 'reverted'))`.execute(db);
}

/** Drops `ingest_undo` and the revert columns; reverted runs go back to committed. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update ingest_runs set status = 'committed' where status = 'reverted'`.execute(db);
  await sql`alter table ingest_runs drop constraint ingest_runs_status_check`.execute(db);
  await sql`alter table ingest_runs add constraint ingest_runs_status_check
    check (status in (${sql.raw(STATUSES)}))`.execute(db);
  await db.schema.alterTable("ingest_runs")
    .dropColumn("undo_rows")
    .dropColumn("reverted_at")
    .dropColumn("reverted_by")
    .execute();
  await db.schema.dropTable("ingest_undo").execute();
}
