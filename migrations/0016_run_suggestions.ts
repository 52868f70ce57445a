/**
 * A run keeps the suggestions its failing values made (`core/suggestions.ts`, issue 20), and
 * which of them a reviewer applied to it.
 *
 * @module
 */
import type { Kysely } from "kysely";

/** Adds `ingest_runs.suggestions`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_runs").addColumn("suggestions", "jsonb").execute();
}

/** Drops it. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_runs").dropColumn("suggestions").execute();
}
