/**
 * A column mapping as a person sends it (the API's `mapping` field, the CLI's `--mapping`): JSON
 * text of file header → column name, or null to ignore the column.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { z } from "zod";
import { IngestError } from "./errors.ts";
import { headerKey } from "./config/header_key.ts";
import type { ColumnMapping } from "./stages/map_headers/header_match.ts";

// A NUL can be in no header (the readers refuse it) and in no stored mapping (PostgreSQL text
// cannot hold it), so a mapping naming one is refused here rather than failing its run later.
const NoNul = (max: number) => z.string().max(max).refine((s) => !s.includes("\0"));
const MappingSchema = z.record(NoNul(1000), NoNul(200).nullable());

/**
 * Parses `{"file header": "column" | null, …}`; throws `bad_request` when it is not that, or when
 * it sends two file columns to one column (refused before a run, as the upload page's step does).
 */
export function parseMapping(text: string): ColumnMapping {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new IngestError("bad_request", "The mapping is not valid JSON", { mapping: text });
  }
  const result = MappingSchema.safeParse(value);
  if (!result.success) {
    throw new IngestError(
      "bad_request",
      'The mapping must be a JSON object of file header → column name (or null to ignore it), without NUL characters, e.g. {"Site": "facility_id"}',
      { mapping: text },
    );
  }
  const headersOf = new Map<string, string[]>();
  for (const [header, column] of Object.entries(result.data)) {
    if (column !== null) headersOf.set(column, [...headersOf.get(column) ?? [], header]);
  }
  for (const [column, headers] of headersOf) {
    // Headers the matcher reads as one ("Site", "site ") are one file column.
    if (new Set(headers.map(headerKey)).size > 1) {
      const names = headers.map((h) => JSON.stringify(h)).join(" and ");
      throw new IngestError(
        "bad_request",
        `The mapping sends ${names} to the one column "${column}": map one file column to each column`,
        { column, headers },
      );
    }
  }
  return result.data;
}
