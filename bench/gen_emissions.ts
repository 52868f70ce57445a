/**
 * Deterministic emissions CSV files for benchmarks and tests: the 7 columns of the emissions
 * upload type, unique (facility_id, year, pollutant) keys, about 88 bytes a row (1 M rows ≈ 88 MB),
 * notes with quoted commas and doubled quotes now and then, and optionally a fraction of rows
 * made invalid in one field each. Emissions reference facilities: {@linkcode generateFacilitiesCsv}
 * gives the register a file needs.
 *
 * Row `i` depends only on `(seed, i)`, so a file with invalid rows differs from the clean one
 * only in the rows it corrupts, and any row can be recomputed without generating the others.
 *
 * CLI: `deno run -A bench/gen_emissions.ts ROWS OUT.csv [--seed=N] [--invalid=0.05] [--crlf]`
 *
 * @module
 */

/** The emissions upload type's columns, in file order. */
export const EMISSIONS_HEADER: readonly string[] = [
  "facility_id",
  "year",
  "pollutant",
  "amount",
  "unit",
  "reported_on",
  "notes",
];

/** Ways a generated row can be invalid (one field each). */
export const INVALID_KINDS = [
  "facility_id_pattern",
  "year_out_of_range",
  "year_not_integer",
  "unknown_pollutant",
  "negative_amount",
  "amount_not_number",
  "unknown_unit",
  "impossible_date",
  "date_format",
  "notes_too_long",
  "missing_amount",
] as const;

/** One of {@linkcode INVALID_KINDS}. */
export type InvalidKind = typeof INVALID_KINDS[number];

/** Options of the generator. */
export interface EmissionsOptions {
  /** Share of data rows (0..1) corrupted in one field, chosen per row from the seed. @default {0} */
  invalidFraction?: number;
  /** Line end written after every record. @default {"\n"} */
  lineEnding?: "\n" | "\r\n";
}

/** One generated data row: its fields, and why it is invalid when it is. */
export interface EmissionsRow {
  fields: string[];
  invalid: InvalidKind | null;
}

const POLLUTANTS = ["CO2", "CH4", "N2O", "NOX", "SO2", "PM25"];
const UNITS = ["t", "kg", "lb"];
const FIRST_YEAR = 1990;
const YEARS = 111; // 1990..2100
const KEYS_PER_FACILITY = YEARS * POLLUTANTS.length;
const FACILITY_SPACE = 17_576 * 1_000_000; // AAA-000000 .. ZZZ-999999
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const WORDS = [
  "stack",
  "boiler",
  "estimated",
  "measured",
  "continuous monitor",
  "annual report",
  "flare",
  "kiln",
  "revised",
  "fuel switch",
  "maintenance",
  "north site",
  "line 2",
  "per permit",
  "calibrated",
  "third party",
];

/**
 * Streams an emissions CSV file: the header, then `rows` data rows with unique keys.
 *
 * @param rows Number of data rows (the header is extra).
 * @param seed Seed of the deterministic generator; the same seed gives the same bytes.
 * @param options Invalid fraction and line end.
 * @returns UTF-8 bytes, about 64 KiB a chunk, produced as they are read.
 *
 * @example Ten valid rows
 * ```ts
 * import { generateEmissionsCsv } from "./gen_emissions.ts";
 * const text = await new Response(generateEmissionsCsv(10, 42)).text();
 * if (text.split("\n").length !== 12) throw new Error("unexpected");
 * ```
 */
export function generateEmissionsCsv(
  rows: number,
  seed = 1,
  options: EmissionsOptions = {},
): ReadableStream<Uint8Array> {
  const end = options.lineEnding ?? "\n";
  const encoder = new TextEncoder();
  let next = 0;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = headerSent ? "" : EMISSIONS_HEADER.join(",") + end;
      headerSent = true;
      while (text.length < 64 * 1024 && next < rows) {
        text += emissionsRow(next++, seed, options).fields.map(csvField).join(",") + end;
      }
      if (text) controller.enqueue(encoder.encode(text));
      if (next >= rows) controller.close();
    },
  }, { highWaterMark: 0 });
}

/**
 * The facilities register that the first `rows` rows for `seed` reference (emissions reference
 * facilities, so this goes in first): a CSV file with `facility_id` and `name`.
 *
 * @example
 * ```ts
 * import { emissionsRow, generateFacilitiesCsv } from "./gen_emissions.ts";
 * const lines = generateFacilitiesCsv(1000, 7).trim().split("\n");
 * if (lines.length !== 3 || !lines[1].startsWith(emissionsRow(0, 7).fields[0])) throw new Error();
 * ```
 */
export function generateFacilitiesCsv(rows: number, seed = 1): string {
  const lines = ["facility_id,name"];
  for (let f = 0; f * KEYS_PER_FACILITY < rows; f++) {
    lines.push(`${facilityId(f, seed)},Facility ${f + 1}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Computes data row `index` (0-based) of the file for `seed`.
 *
 * @example
 * ```ts
 * import { emissionsRow } from "./gen_emissions.ts";
 * const row = emissionsRow(0, 1);
 * if (!/^[A-Z]{3}-\d{6}$/.test(row.fields[0]) || row.invalid !== null) throw new Error("unexpected");
 * ```
 */
export function emissionsRow(
  index: number,
  seed = 1,
  options: EmissionsOptions = {},
): EmissionsRow {
  const random = mulberry32(hash32(seed, index));
  const facility = Math.floor(index / KEYS_PER_FACILITY);
  // Rotate each facility's keys so files do not all start at 1990 CO2.
  const slot = (index + hash32(seed ^ 0x5bd1e995, facility)) % KEYS_PER_FACILITY;
  const year = FIRST_YEAR + Math.floor(slot / POLLUTANTS.length);
  const fields = [
    facilityId(facility, seed),
    String(year),
    POLLUTANTS[slot % POLLUTANTS.length],
    amount(random),
    UNITS[Math.floor(random() * UNITS.length)],
    reportedOn(year, random),
    notes(random),
  ];
  const invalidFraction = options.invalidFraction ?? 0;
  if (invalidFraction <= 0 || random() >= invalidFraction) return { fields, invalid: null };
  const kind = INVALID_KINDS[Math.floor(random() * INVALID_KINDS.length)];
  corrupt(fields, kind, random);
  return { fields, invalid: kind };
}

/** Facility number → an id unique per number: an affine permutation of AAA-000000..ZZZ-999999. */
function facilityId(facility: number, seed: number): string {
  // 1_000_003 is prime and so coprime to 17_576 × 10^6 = 2^9 × 5^6 × 13^3: a bijection.
  const code = (facility * 1_000_003 + hash32(seed, -1)) % FACILITY_SPACE;
  let letters = Math.floor(code / 1_000_000);
  let prefix = "";
  for (let k = 0; k < 3; k++) {
    prefix = String.fromCharCode(65 + (letters % 26)) + prefix;
    letters = Math.floor(letters / 26);
  }
  return `${prefix}-${String(code % 1_000_000).padStart(6, "0")}`;
}

function amount(random: () => number): string {
  const magnitude = 10 ** Math.floor(random() * 6);
  const value = random() * magnitude;
  return random() < 0.2 ? String(Math.round(value)) : value.toFixed(3);
}

/** A real date in the spring after the reporting year. */
function reportedOn(year: number, random: () => number): string {
  const month = 1 + Math.floor(random() * 6);
  const leap = (year + 1) % 4 === 0 && ((year + 1) % 100 !== 0 || (year + 1) % 400 === 0);
  const days = DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0);
  const day = 1 + Math.floor(random() * days);
  return `${year + 1}-${pad2(month)}-${pad2(day)}`;
}

function notes(random: () => number): string {
  const r = random();
  if (r < 0.15) return "";
  const count = 3 + Math.floor(random() * 6);
  const words: string[] = [];
  for (let k = 0; k < count; k++) words.push(WORDS[Math.floor(random() * WORDS.length)]);
  if (r < 0.75) return words.join(" ");
  if (r < 0.95) return words.join(", ");
  return `${words[0]} "${words[1]}", ${words.slice(2).join(" ")}`;
}

function corrupt(fields: string[], kind: InvalidKind, random: () => number): void {
  switch (kind) {
    case "facility_id_pattern":
      fields[0] = fields[0].toLowerCase();
      break;
    case "year_out_of_range":
      fields[1] = random() < 0.5 ? "1989" : "2101";
      break;
    case "year_not_integer":
      fields[1] = `${fields[1]}.5`;
      break;
    case "unknown_pollutant":
      fields[2] = "CO";
      break;
    case "negative_amount":
      fields[3] = `-${fields[3] === "0" ? "1" : fields[3]}`;
      break;
    case "amount_not_number":
      fields[3] = "n/a";
      break;
    case "unknown_unit":
      fields[4] = "tons";
      break;
    case "impossible_date":
      fields[5] = `${fields[5].slice(0, 4)}-02-30`;
      break;
    case "date_format": {
      const [y, m, d] = fields[5].split("-");
      fields[5] = `${d}/${m}/${y}`;
      break;
    }
    case "notes_too_long":
      fields[6] = "x".repeat(1001);
      break;
    case "missing_amount":
      fields[3] = "";
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Mixes a seed and an integer into a 32-bit value (murmur3 finalizer). */
function hash32(seed: number, n: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (import.meta.main) {
  const [rowsArg, out, ...flags] = Deno.args;
  const rows = Number(rowsArg);
  if (!Number.isInteger(rows) || rows < 0 || !out) {
    console.error(
      "Usage: deno run -A bench/gen_emissions.ts ROWS OUT.csv [--seed=N] [--invalid=F] [--crlf]",
    );
    Deno.exit(2);
  }
  const flag = (name: string) => flags.find((f) => f.startsWith(`--${name}=`))?.split("=")[1];
  const seed = Number(flag("seed") ?? 1);
  const invalidFraction = Number(flag("invalid") ?? 0);
  const lineEnding = flags.includes("--crlf") ? "\r\n" : "\n";
  const started = performance.now();
  const file = await Deno.open(out, { write: true, create: true, truncate: true });
  await generateEmissionsCsv(rows, seed, { invalidFraction, lineEnding }).pipeTo(file.writable);
  const { size } = await Deno.stat(out);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${out}: ${rows} rows, ${(size / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s`);
}
