/**
 * A committed run keeps its rows as the audit of what it applied (`store/postgres/retention.ts`):
 * `ingest_runs.excluded_count` counts the rows a reviewer left out of the commit (the run's
 * `new`, `changed` and `deleted` counts are what it writes), and `rows_purged_at` says when the
 * retention setting dropped a committed run's rows. `file_complete` says whether a run's
 * `file_bytes` and `sha256` are of the whole upload or only of what arrived before it stopped
 * (the size limit, a lost client).
 *
 * @module
 */
import type { Kysely } from "kysely";

/** Adds `ingest_runs.excluded_count`, `rows_purged_at` and `file_complete`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_runs")
    .addColumn("excluded_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("rows_purged_at", "timestamptz")
    .addColumn("file_complete", "boolean")
    .execute();
}

/** Drops the columns. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_runs")
    .dropColumn("excluded_count")
    .dropColumn("rows_purged_at")
    .dropColumn("file_complete")
    .execute();
}
