/**
 * Runs (the audit record of every upload) and their staged rows.
 *
 * Staged rows are kept per run in one generic table: `values` holds the validated values as JSON
 * keyed by column, `raw` the fields exactly as the file had them (for the error report), so adding
 * an upload type needs no staging DDL. Classification casts `values` through the target table's
 * row type (`jsonb_populate_record`), so PostgreSQL itself does the typed comparison.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

/** Creates `ingest_runs` and `ingest_rows`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ingest_runs")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("upload_type", "text", (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull().check(sql`mode in ('direct', 'staged')`))
    .addColumn("status", "text", (c) =>
      c.notNull().check(
        sql`status in ('receiving', 'processing', 'staged', 'committing', 'committed', 'discarded', 'failed')`,
      ))
    .addColumn("file_name", "text")
    .addColumn("content_type", "text")
    .addColumn("file_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("sha256", "text")
    .addColumn("headers", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("columns", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("ignored_columns", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("row_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("new_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("changed_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("unchanged_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("invalid_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("deleted_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("progress_bytes", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("progress_rows", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("error", "jsonb")
    .addColumn("actor", "text")
    .addColumn("trace_id", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("started_at", "timestamptz")
    .addColumn("staged_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("ingest_runs_created_idx").on("ingest_runs")
    .columns(["created_at desc", "id desc"]).execute();
  await db.schema.createIndex("ingest_runs_type_created_idx").on("ingest_runs")
    .columns(["upload_type", "created_at desc", "id desc"]).execute();
  await db.schema.createIndex("ingest_runs_status_idx").on("ingest_runs").column("status")
    .execute();

  await db.schema
    .createTable("ingest_rows")
    .addColumn(
      "run_id",
      "uuid",
      (c) => c.notNull().references("ingest_runs.id").onDelete("cascade"),
    )
    .addColumn("row_number", "integer", (c) => c.notNull())
    .addColumn("line", "integer")
    .addColumn("action", "text", (c) =>
      c.notNull().check(
        sql`action in ('pending', 'new', 'changed', 'unchanged', 'invalid', 'deleted')`,
      ))
    .addColumn("values", "jsonb")
    .addColumn("raw", "jsonb")
    .addColumn("errors", "jsonb")
    .addColumn("changes", "jsonb")
    .addColumn("before", "jsonb")
    .addColumn("excluded", "boolean", (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint("ingest_rows_pkey", ["run_id", "row_number"])
    .execute();
  await db.schema.createIndex("ingest_rows_action_idx").on("ingest_rows")
    .columns(["run_id", "action", "row_number"]).execute();
}

/** Drops both tables. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("ingest_rows").execute();
  await db.schema.dropTable("ingest_runs").execute();
}
