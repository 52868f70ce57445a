/**
 * Fixing in place (`core/fixes.ts`): `ingest_row_edits` records every cell a reviewer edited in
 * an invalid row of a staged run: the run, the row, the column, the cell before and after, who
 * and when. The rows outlive the run's staging, as the audit of what was committed.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

/** Creates `ingest_row_edits`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ingest_row_edits")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn(
      "run_id",
      "uuid",
      (c) => c.notNull().references("ingest_runs.id").onDelete("cascade"),
    )
    .addColumn("row_number", "integer", (c) => c.notNull())
    .addColumn("column", "text", (c) => c.notNull())
    .addColumn("old_value", "text")
    .addColumn("new_value", "text")
    .addColumn("actor", "text")
    .addColumn("edited_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("ingest_row_edits_run_idx").on("ingest_row_edits")
    .columns(["run_id", "id"]).execute();
}

/** Drops `ingest_row_edits`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("ingest_row_edits").execute();
}
