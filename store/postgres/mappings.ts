/**
 * Saved column mappings (`ingest_mappings`): per upload type and header signature, one shared
 * (`owner` null) and one per user.
 *
 * @module
 */
import { sql } from "kysely";
import type { Database } from "../../db/database.ts";
import type { NewSavedMapping, SavedMapping } from "../../core/saved_mapping.ts";
import type { ColumnMapping } from "../../core/stages/map_headers/header_match.ts";
import { json } from "./runs.ts";

type Row = {
  id: unknown;
  upload_type: string;
  signature: string;
  mapping: unknown;
  owner: string | null;
  saved_by: string | null;
  updated_at: unknown;
};

/** `owner`'s mapping for this type and header signature, else the shared one, else null. */
export async function selectMapping(
  db: Database,
  uploadType: string,
  signature: string,
  owner: string | null,
): Promise<SavedMapping | null> {
  const { rows } = await sql<Row>`
    select id, upload_type, signature, mapping, owner, saved_by, updated_at from ingest_mappings
    where upload_type = ${uploadType} and signature = ${signature}
      and (owner is null or owner = ${owner})
    order by owner nulls last
    limit 1
  `.execute(db.kysely);
  return rows.length ? toSavedMapping(rows[0]) : null;
}

/** Saves a mapping, replacing the one of the same type, signature and owner. */
export async function upsertMapping(db: Database, m: NewSavedMapping): Promise<SavedMapping> {
  const { rows } = await sql<Row>`
    insert into ingest_mappings (upload_type, signature, mapping, owner, saved_by)
    values (${m.uploadType}, ${m.signature}, ${JSON.stringify(m.mapping)}::jsonb, ${m.owner},
      ${m.savedBy})
    on conflict (upload_type, signature, (coalesce(owner, '')))
      do update set mapping = excluded.mapping, saved_by = excluded.saved_by, updated_at = now()
    returning id, upload_type, signature, mapping, owner, saved_by, updated_at
  `.execute(db.kysely);
  return toSavedMapping(rows[0]);
}

function toSavedMapping(r: Row): SavedMapping {
  const updated = r.updated_at instanceof Date ? r.updated_at : new Date(String(r.updated_at));
  return {
    id: Number(r.id),
    uploadType: r.upload_type,
    signature: r.signature,
    mapping: json<ColumnMapping>(r.mapping) ?? {},
    owner: r.owner,
    savedBy: r.saved_by,
    updatedAt: updated.toISOString(),
  };
}
