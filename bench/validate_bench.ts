/**
 * Validation speed: map headers once, then the compiled row validator over generated emissions
 * rows (7 columns: text with a pattern, integer with a range, two enums, a decimal with a
 * minimum, a date, text with a length limit). Rows are generated in chunks outside the timed
 * part, so only validation is measured; each case runs twice and the second (warm) run counts.
 *
 *   deno run -A bench/validate_bench.ts [ROWS=1000000]
 *
 * Prints one line per case: rows/s and µs per row, for a clean file and one with 5 % of rows
 * invalid (invalid rows take zod's runtime path to collect every issue).
 *
 * @module
 */
import { mapHeaders } from "../core/stages/map_headers/header_match.ts";
import { compileRowValidator } from "../core/stages/validate.ts";
import { loadUploadTypes } from "../server/load_upload_types.ts";
import { EMISSIONS_HEADER, emissionsRow } from "./gen_emissions.ts";

const ROWS = Number(Deno.args[0] ?? 1_000_000);
const CHUNK = 100_000;

const types = await loadUploadTypes(new URL("../config/upload_types/", import.meta.url));
const type = types.get("emissions");

function measure(invalidFraction: number): { seconds: number; invalid: number } {
  const validate = compileRowValidator(type, mapHeaders(type, [...EMISSIONS_HEADER]));
  let seconds = 0;
  let invalid = 0;
  for (let start = 0; start < ROWS; start += CHUNK) {
    const rows: string[][] = [];
    for (let i = start; i < Math.min(start + CHUNK, ROWS); i++) {
      rows.push(emissionsRow(i, 1, { invalidFraction }).fields);
    }
    const started = performance.now();
    for (let i = 0; i < rows.length; i++) if (!validate(rows[i]).ok) invalid++;
    seconds += (performance.now() - started) / 1000;
  }
  return { seconds, invalid };
}

for (const fraction of [0, 0.05]) {
  measure(fraction);
  const { seconds, invalid } = measure(fraction);
  const rate = Math.round(ROWS / seconds).toLocaleString("en-US");
  const micros = ((seconds * 1e6) / ROWS).toFixed(2);
  console.log(
    `validate ${ROWS} emissions rows, ${invalid} invalid: ${rate} rows/s, ${micros} µs/row`,
  );
}
