/**
 * Saved column mappings get an id, an owner and who saved them; runs record the mapping they
 * used.
 *
 * A mapping is saved when a run that used it is committed: shared (`owner` null) when the
 * committer may change shared settings, else for its uploader alone. A user's own mapping comes
 * before the shared one for the same headers, so the key is now type, signature and owner.
 * Mappings saved before this migration stay shared.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

/** Adds `ingest_mappings.id`, `owner`, `saved_by` and `ingest_runs.mapping`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_mappings")
    .addColumn("id", "bigint", (c) => c.generatedByDefaultAsIdentity().notNull())
    .addColumn("owner", "text")
    .addColumn("saved_by", "text")
    .execute();
  await db.schema.alterTable("ingest_mappings").dropConstraint("ingest_mappings_pkey").execute();
  await db.schema.alterTable("ingest_mappings")
    .addPrimaryKeyConstraint("ingest_mappings_pkey", ["id"])
    .execute();
  // One shared mapping and one per owner for each type and header signature.
  await sql`
    create unique index ingest_mappings_scope
      on ingest_mappings (upload_type, signature, (coalesce(owner, '')))
  `.execute(db);
  await db.schema.alterTable("ingest_runs").addColumn("mapping", "jsonb").execute();
}

/** Drops the columns; users' own mappings go, shared ones stay. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ingest_runs").dropColumn("mapping").execute();
  await sql`delete from ingest_mappings where owner is not null`.execute(db);
  await sql`drop index ingest_mappings_scope`.execute(db);
  await db.schema.alterTable("ingest_mappings")
    .dropColumn("id")
    .dropColumn("owner")
    .dropColumn("saved_by")
    .execute();
  await db.schema.alterTable("ingest_mappings")
    .addPrimaryKeyConstraint("ingest_mappings_pkey", ["upload_type", "signature"])
    .execute();
}
