/**
 * Stage `map_headers`: the file's header row → the upload type's columns, under the
 * `ingest.map_headers` span. Headers match by name, label and alias (`map_headers/header_match.ts`),
 * and by the upload's own column mapping when it has one. A saved mapping is never applied
 * unasked: when one would change how these headers map and the upload sent none, the run stops
 * with `mapping_required` listing it; an upload that sends it back confirms it (and its run
 * records the saved mapping as the source).
 *
 * @module
 */
import type { ResolvedUploadType } from "../config/upload_type_schema.ts";
import {
  confirms,
  describeMapping,
  effectiveEntries,
  mappingRequired,
  type RunMapping,
} from "../saved_mapping.ts";
import type { Mappings } from "../ports.ts";
import { defineStageSpan, type StageSpans } from "../telemetry.ts";
import {
  type ColumnMapping,
  type HeaderMapping,
  headerSignature,
  mapHeaders,
  matchHeader,
} from "./map_headers/header_match.ts";

/** The `ingest.map_headers` span, closed with the columns mapped and how. */
export const mapHeadersSpan = defineStageSpan(
  "map_headers",
  (counts: { mapping: HeaderMapping; source: "saved" | "given" | "names" }) => ({
    "ingest.columns": counts.mapping.columns.length,
    "ingest.ignored_columns": counts.mapping.ignored.length,
    "ingest.mapping": counts.source,
  }),
);

/** What {@linkcode mapHeaderRow} needs besides the header row. */
export interface MapHeaderRowOptions {
  type: ResolvedUploadType;
  /** The upload's own column mapping, if it sent one. */
  given?: ColumnMapping;
  /** Whose saved mappings apply besides the shared ones. */
  actor: string | null;
  spans: StageSpans;
}

/**
 * Maps the header row, looking up a saved mapping only when some header matches no column.
 *
 * @returns The mapping to validate with, and how the run records it.
 * @throws {IngestError} `mapping_required` when a saved mapping would apply unconfirmed;
 * `header_error` for a header row the type cannot take.
 */
export async function mapHeaderRow(
  store: Pick<Mappings, "findMapping">,
  fields: string[],
  { type, given, actor, spans }: MapHeaderRowOptions,
): Promise<{ mapping: HeaderMapping; record: RunMapping }> {
  mapHeadersSpan.open(spans);
  // A saved mapping only ever maps headers that match no column: none, no lookup.
  const unmatched = fields.some((h) => h.trim() !== "" && !matchHeader(type, h));
  const saved = unmatched
    ? await store.findMapping(type.name, headerSignature(fields), actor)
    : null;
  const suggested = saved ? effectiveEntries(type, fields, saved.mapping) : {};
  const suggests = Object.keys(suggested).length > 0;
  if (saved && suggests && !given) throw mappingRequired(saved, suggested, fields);
  const mapping = mapHeaders(type, fields, given);
  const confirmed = saved && suggests && given && confirms(given, suggested)
    ? { saved, entries: suggested }
    : null;
  mapHeadersSpan.close(spans, { mapping, source: confirmed ? "saved" : given ? "given" : "names" });
  return { mapping, record: describeMapping(type, fields, mapping, given ?? null, confirmed) };
}
