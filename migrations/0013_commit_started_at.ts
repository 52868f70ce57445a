/**
 * `ingest_runs.commit_started_at`: when a reviewer's commit of a staged run began, so the history
 * can tell the time a person took to review (staged → commit) from the time the work took.
 *
 * @module
 */
import type { Kysely } from "kysely";

/** Adds `ingest_runs.commit_started_at` (null for direct imports and runs committed before). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_runs").addColumn("commit_started_at", "timestamptz")
    .execute();
}

/** Drops the column. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_runs").dropColumn("commit_started_at").execute();
}
