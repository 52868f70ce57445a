/**
 * Saved column mappings (`ingest_mappings`), one per upload type and header signature.
 *
 * @module
 */
import { sql } from "kysely";
import type { Database } from "../database.ts";
import type { ColumnMapping } from "../stages/map_headers.ts";
import { json } from "./run_repository.ts";

/** The mapping saved for this type and header signature, or null. */
export async function selectMapping(
  db: Database,
  uploadType: string,
  signature: string,
): Promise<ColumnMapping | null> {
  const { rows } = await sql<{ mapping: unknown }>`
    select mapping from ingest_mappings where upload_type = ${uploadType} and signature = ${signature}
  `.execute(db.kysely);
  return rows.length ? json<ColumnMapping>(rows[0].mapping) : null;
}

/** Saves the mapping for this type and header signature, replacing an older one. */
export async function upsertMapping(
  db: Database,
  uploadType: string,
  signature: string,
  mapping: ColumnMapping,
): Promise<void> {
  await sql`
    insert into ingest_mappings (upload_type, signature, mapping)
    values (${uploadType}, ${signature}, ${JSON.stringify(mapping)}::jsonb)
    on conflict (upload_type, signature)
      do update set mapping = excluded.mapping, updated_at = now()
  `.execute(db.kysely);
}
