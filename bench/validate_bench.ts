/**
 * Validation speed: map headers once, then the compiled row validator over generated emissions
 * rows (7 columns: text with a pattern, integer with a range, two enums, a decimal with a
 * minimum, a date, text with a length limit). Rows are generated in chunks outside the timed
 * part, so only validation is measured; each case runs twice and the second (warm) run counts.
 *
 *   deno run -A bench/validate_bench.ts [ROWS=1000000] [ROUNDS=3] [CASES=1,2,3]
 *
 * Time is the process's CPU time (user and system), not the wall clock, so other processes on a
 * busy machine do not count. Cases run in turn, ROUNDS times, after a warm-up; the fastest round
 * of each counts.
 * Prints one line per case: rows/s and µs per row, for a clean file and one with 5 % of rows
 * invalid, first with the demo type as configured (no value options), then with the value
 * options of `docs/upload_types.md` declared and the same rows written to match them:
 *
 * - `words and numbers`: the type's `nullValues` `["", "NA"]` (notes empty as `NA`), amounts
 *   with a decimal comma and thousands dots (`1.234,567`), `valueMap` on pollutant (`Carbon
 *   dioxide` for CO2), `case: "upper"` on facility_id and `case: "lower"` on unit;
 * - `… and date formats`: also `reported_on` written `MMM d yyyy` (`Mar 31 2025`) and read with
 *   `formats: ["MMM d yyyy", "dd.MM.yyyy"]`: about 20,000 distinct dates in a million rows, each
 *   value tried with both patterns' compiled readers (core/config/date_patterns.ts).
 *
 * @module
 */
import { cpuUsage } from "node:process";
import type { ColumnInput } from "../core/config/define_upload_type.ts";
import { type ResolvedUploadType, resolveUploadType } from "../core/config/upload_type_schema.ts";
import { mapHeaders } from "../core/stages/map_headers/header_match.ts";
import { compileRowValidator } from "../core/stages/validate.ts";
import emissions from "../config/upload_types/emissions.ts";
import { EMISSIONS_HEADER, emissionsRow } from "./gen_emissions.ts";

const ROWS = Number(Deno.args[0] ?? 1_000_000);
const ROUNDS = Number(Deno.args[1] ?? 3);
const CASES = (Deno.args[2] ?? "1,2,3").split(",").map(Number);
const CHUNK = 100_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const plain = resolveUploadType(emissions, "config/upload_types/emissions.ts");
const options: Record<string, Partial<ColumnInput>> = {
  pollutant: { valueMap: { "Carbon dioxide": "CO2", "Methane": "CH4" } },
  amount: { decimalSeparator: ",", thousandsSeparator: "." },
  facility_id: { case: "upper" },
  unit: { case: "lower" },
};
const words = withOptions(options);
const dated = withOptions({
  ...options,
  reported_on: { formats: ["MMM d yyyy", "dd.MM.yyyy"], example: "Mar 31 2025" },
});

function withOptions(columns: Record<string, Partial<ColumnInput>>): ResolvedUploadType {
  return resolveUploadType({
    ...emissions,
    nullValues: ["", "NA"],
    columns: emissions.columns.map((c) => ({ ...c, ...columns[c.name] })),
  }, "bench");
}

/** The same row written as a file matching the options would have it. */
function localize(fields: string[], dates: boolean): string[] {
  const [facility, year, pollutant, amount, unit, reportedOn, notes] = fields;
  const [int, frac] = amount.split(".");
  const grouped = /^\d+$/.test(int) ? int.replace(/\B(?=(\d{3})+$)/g, ".") : int;
  const date = /^\d{4}-\d{2}-\d{2}$/.exec(reportedOn) && dates
    ? `${MONTHS[Number(reportedOn.slice(5, 7)) - 1]} ${Number(reportedOn.slice(8))} ${
      reportedOn.slice(0, 4)
    }`
    : reportedOn;
  return [
    facility,
    year,
    pollutant === "CO2" ? "Carbon dioxide" : pollutant,
    frac === undefined ? grouped : `${grouped},${frac}`,
    unit,
    date,
    notes === "" ? "NA" : notes,
  ];
}

function measure(
  type: ResolvedUploadType,
  invalidFraction: number,
  shape: (fields: string[]) => string[],
): { seconds: number; invalid: number } {
  const validate = compileRowValidator(type, mapHeaders(type, [...EMISSIONS_HEADER]));
  let seconds = 0;
  let invalid = 0;
  for (let start = 0; start < ROWS; start += CHUNK) {
    const rows: string[][] = [];
    for (let i = start; i < Math.min(start + CHUNK, ROWS); i++) {
      rows.push(shape(emissionsRow(i, 1, { invalidFraction }).fields));
    }
    const started = cpuUsage();
    for (let i = 0; i < rows.length; i++) if (!validate(rows[i]).ok) invalid++;
    const used = cpuUsage(started);
    seconds += (used.user + used.system) / 1e6;
  }
  return { seconds, invalid };
}

const cases = ([
  ["no value options", plain, (f) => f],
  ["words and numbers", words, (f) => localize(f, false)],
  ["words, numbers and date formats", dated, (f) => localize(f, true)],
] as Array<[string, ResolvedUploadType, (fields: string[]) => string[]]>)
  .filter((_, i) => CASES.includes(i + 1));
const best = new Map<string, { seconds: number; invalid: number }>();
for (let round = -1; round < ROUNDS; round++) {
  for (const [name, type, shape] of cases) {
    for (const fraction of [0, 0.05]) {
      const result = measure(type, fraction, shape);
      const key = `${name}|${fraction}`;
      if (round >= 0 && result.seconds < (best.get(key)?.seconds ?? Infinity)) {
        best.set(key, result);
      }
    }
  }
}
for (const [key, { seconds, invalid }] of best) {
  const rate = Math.round(ROWS / seconds).toLocaleString("en-US");
  const micros = ((seconds * 1e6) / ROWS).toFixed(2);
  console.log(
    `validate ${ROWS} emissions rows (${key.split("|")[0]}), ${invalid} invalid: ${rate} rows/s, ` +
      `${micros} µs/row`,
  );
}
