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
import type { ColumnMapping } from "./stages/map_headers/header_match.ts";

// A NUL can be in no header (the readers refuse it) and in no stored mapping (PostgreSQL text
// cannot hold it), so a mapping naming one is refused here rather than failing its run later.
const NoNul = (max: number) => z.string().max(max).refine((s) => !s.includes("\0"));
const MappingSchema = z.record(NoNul(1000), NoNul(200).nullable());

/** Parses `{"file header": "column" | null, …}`; throws `bad_request` when it is not that. */
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
  return result.data;
}
