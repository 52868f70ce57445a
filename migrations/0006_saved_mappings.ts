/**
 * Column mappings people chose for files whose headers did not match an upload type, kept per
 * type and header signature so the next file with the same headers maps itself.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

/** Creates `ingest_mappings`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ingest_mappings")
    .addColumn("upload_type", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addColumn("mapping", "jsonb", (c) => c.notNull())
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("ingest_mappings_pkey", ["upload_type", "signature"])
    .execute();
}

/** Drops `ingest_mappings`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("ingest_mappings").execute();
}
