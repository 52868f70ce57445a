/**
 * Saved column mappings and the mapping a run used.
 *
 * A mapping is remembered only from a committed run, and only what of it changes the result: a
 * header that matches a column by name, label or alias keeps that column, whatever a saved
 * mapping says (exact matches always win). A saved mapping is never applied on its own: an upload
 * whose headers it would change stops with `mapping_required`, listing it, and the uploader
 * confirms it by sending it as `mapping` (the upload page pre-fills its column mapper with it).
 *
 * This module is browser compatible.
 *
 * @module
 */
import type { ResolvedUploadType } from "./config/upload_type_schema.ts";
import { headerKey } from "./config/header_key.ts";
import { IngestError } from "./errors.ts";
import type { Run } from "./runs/run.ts";
import {
  type ColumnMapping,
  type HeaderMapping,
  headerSignature,
  matchHeader,
} from "./stages/map_headers/header_match.ts";
import type { Mappings } from "./ports.ts";

/** A column mapping saved from a committed run. */
export interface SavedMapping {
  id: number;
  uploadType: string;
  /** The header signature ({@linkcode headerSignature}) it was saved for. */
  signature: string;
  /** File header → config column, for headers that match no column by themselves. */
  mapping: ColumnMapping;
  /** The user it is kept for; null when it is shared with everyone. */
  owner: string | null;
  /** Who committed the run it was saved from (null: the local admin). */
  savedBy: string | null;
  updatedAt: string;
}

/** A mapping to save: the saved fields the store does not fill in. */
export type NewSavedMapping = Omit<SavedMapping, "id" | "updatedAt">;

/** Why a file column went where it did. */
export type MappingSource = "exact" | "alias" | "explicit" | "saved" | "none";

/** The mapping a run used, as its record keeps it. */
export interface RunMapping {
  /**
   * Every file column in file order: the config column it fed (null: ignored) and why: its name
   * (`exact`), a label or alias (`alias`), the mapping sent with the upload (`explicit`), the
   * saved mapping the uploader confirmed (`saved`), or nothing matched it (`none`).
   */
  columns: Array<{ header: string; column: string | null; source: MappingSource }>;
  /** The saved mapping the upload confirmed, or null. */
  saved: { id: number; shared: boolean; savedBy: string | null } | null;
  /** The mapping sent with the upload, or null: what committing the run may remember. */
  given: ColumnMapping | null;
}

/**
 * The entries of `mapping` that would change how `header` maps: for headers of the file that
 * match no column by themselves, to a column no other header matches by itself. Exact and alias
 * matches win over these entries. Keyed by the file's header texts.
 */
export function effectiveEntries(
  type: ResolvedUploadType,
  header: readonly string[],
  mapping: ColumnMapping,
): ColumnMapping {
  const byKey = new Map(Object.entries(mapping).map(([h, c]) => [headerKey(h), c]));
  const matched = new Set(header.flatMap((h) => matchHeader(type, h)?.column.name ?? []));
  const names = new Set(type.columns.map((c) => c.name));
  const entries: ColumnMapping = {};
  for (const text of header) {
    const column = byKey.get(headerKey(text));
    if (!column || !names.has(column) || matchHeader(type, text) || matched.has(column)) continue;
    entries[text] = column;
  }
  return entries;
}

/** True when `given` sends every entry of `suggested` as it is. */
export function confirms(given: ColumnMapping, suggested: ColumnMapping): boolean {
  const byKey = new Map(Object.entries(given).map(([h, c]) => [headerKey(h), c]));
  return Object.entries(suggested).every(([h, c]) => byKey.get(headerKey(h)) === c);
}

/**
 * The `mapping_required` error of an upload sent without a mapping whose headers a saved mapping
 * would change: `details.mapping` is what to send back as `mapping` to confirm it.
 */
export function mappingRequired(
  saved: SavedMapping,
  suggested: ColumnMapping,
  header: readonly string[],
): IngestError {
  const pairs = Object.entries(suggested).map(([h, c]) => `${JSON.stringify(h)} → "${c}"`);
  const whose = saved.owner === null ? "A shared column mapping" : "Your saved column mapping";
  return new IngestError(
    "mapping_required",
    `${whose} applies to these headers (${pairs.join(", ")}): ` +
      "send it as `mapping` to confirm it, or send another",
    {
      mapping: suggested,
      savedMapping: describeSaved(saved),
      found: [...header],
    },
  );
}

/** What the API says about a saved mapping. */
export function describeSaved(saved: SavedMapping): {
  id: number;
  shared: boolean;
  savedBy: string | null;
  updatedAt: string;
} {
  return {
    id: saved.id,
    shared: saved.owner === null,
    savedBy: saved.savedBy,
    updatedAt: saved.updatedAt,
  };
}

/**
 * The run's record of `mapping`: each file column's config column and source. `confirmed` is the
 * saved mapping the upload's `given` mapping confirmed, if it did.
 */
export function describeMapping(
  type: ResolvedUploadType,
  header: readonly string[],
  mapping: HeaderMapping,
  given: ColumnMapping | null,
  confirmed: { saved: SavedMapping; entries: ColumnMapping } | null,
): RunMapping {
  const givenKeys = new Set(Object.keys(given ?? {}).map(headerKey));
  const savedKeys = new Set(Object.keys(confirmed?.entries ?? {}).map(headerKey));
  const columnAt = new Map(mapping.columns.map((c) => [c.index, c.column.name]));
  const columns = header.map((text, index) => {
    const column = columnAt.get(index) ?? null;
    const key = headerKey(text);
    let source: MappingSource = "none";
    if (savedKeys.has(key)) source = "saved";
    else if (givenKeys.has(key)) source = "explicit";
    else if (column) source = matchHeader(type, text)?.by ?? "none";
    return { header: text, column, source };
  });
  const saved = confirmed &&
    {
      id: confirmed.saved.id,
      shared: confirmed.saved.owner === null,
      savedBy: confirmed.saved.savedBy,
    };
  return { columns, saved, given };
}

/**
 * Remembers the mapping a committed run was sent with, for the next file with the same headers:
 * shared when the committer may change shared settings, else for the run's uploader alone. Only
 * the entries that change the result are kept ({@linkcode effectiveEntries}); nothing is saved
 * when there are none, when they only confirmed a saved mapping, or when the run is not
 * committed. Returns the saved mapping, or null.
 */
export async function rememberMapping(
  store: Pick<Mappings, "saveMapping">,
  type: ResolvedUploadType,
  run: Run,
  committer: { name: string | null; shared: boolean },
): Promise<SavedMapping | null> {
  const record = run.mapping;
  if (run.status !== "committed" || !record?.given) return null;
  if (!record.columns.some((c) => c.source === "explicit")) return null;
  const owner = committer.shared ? null : run.actor;
  // Without a name there is nobody to keep a mapping for but everyone.
  if (!committer.shared && owner === null) return null;
  const mapping = effectiveEntries(type, run.headers, record.given);
  if (Object.keys(mapping).length === 0) return null;
  return await store.saveMapping({
    uploadType: type.name,
    signature: headerSignature(run.headers),
    mapping,
    owner,
    savedBy: committer.name,
  });
}

/**
 * The saved mapping that applies to `header` for `owner` (their own, else the shared one), as the
 * API shows it: only the entries that change how the headers map, and which mapping they are
 * from; both null when none applies.
 */
export async function savedSuggestion(
  store: Pick<Mappings, "findMapping">,
  type: ResolvedUploadType,
  header: readonly string[],
  owner: string | null,
): Promise<
  { mapping: ColumnMapping | null; savedMapping: ReturnType<typeof describeSaved> | null }
> {
  const saved = await store.findMapping(type.name, headerSignature(header), owner);
  const mapping = saved ? effectiveEntries(type, header, saved.mapping) : {};
  if (!saved || Object.keys(mapping).length === 0) return { mapping: null, savedMapping: null };
  return { mapping, savedMapping: describeSaved(saved) };
}
