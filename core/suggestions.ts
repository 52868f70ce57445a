/**
 * Suggestions from the data: when most of a column's failing values fit one known shape (a date
 * pattern, a decimal comma, a thousands separator, an empty marker such as `NA`), the run says
 * which option of the column's config would read them, as a fix for this run and as the config
 * line that would make it permanent.
 *
 * Validation samples the failing values of each column (at most {@linkcode SAMPLE_PER_COLUMN},
 * so memory stays bounded whatever the file); at its end every candidate option is tried on the
 * sample with the column's own rule, compiled with the option added, and the one that reads most
 * of the sample is suggested. Two candidates that read the sample equally well but differently
 * (`01/02/2000` as `dd/MM/yyyy` or `M/d/yyyy`) suggest nothing: the data does not say which.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { CellFailure, compileCellRule, type Value } from "./config/cell_rules.ts";
import type { ResolvedColumn, ResolvedUploadType } from "./config/upload_type_schema.ts";
import type { RowError } from "./stages/validate.ts";

/** How many failing values of a column validation keeps to find a suggestion in. */
export const SAMPLE_PER_COLUMN = 200;

/** The date patterns a date column's failing values are tried with, in order of preference. */
export const DATE_CANDIDATES: readonly string[] = [
  "MMM d yyyy",
  "MMM d, yyyy",
  "d MMM yyyy",
  "dd/MM/yyyy",
  "M/d/yyyy",
  "d.M.yyyy",
  "yyyy/MM/dd",
  "MMMM d, yyyy",
];

/** The empty markers failing values are compared with. */
export const NULL_CANDIDATES: readonly string[] = ["NA", "N/A", "n/a", "null", "NULL", "-", "--"];

/** The column options a suggestion adds (the column's own values kept, new ones appended). */
export interface SuggestedOptions {
  formats?: string[];
  nullValues?: string[];
  decimalSeparator?: ",";
  thousandsSeparator?: "." | "," | " ";
}

/** A suggestion for one column of a run. */
export type Suggestion =
  & {
    /** Its number within the run, from 1: `POST /api/v1/runs/{id}/suggestions/{n}/apply`. */
    id: number;
    kind: "formats" | "nullValues" | "numberFormat";
    column: string;
    /** What applying it does, in words ("Read dates as MMM d yyyy"). */
    label: string;
    /** The line of the column's config that would make it permanent. */
    config: string;
    /** True once applied to this run. */
    applied: boolean;
  }
  & SuggestedOptions;

/** Keeps a bounded sample of each column's values that failed for their type. */
export class FailureSampler {
  readonly #samples = new Map<string, string[]>();

  /** Adds the failing values of one row's errors. */
  add(errors: readonly RowError[]): void {
    for (const e of errors) {
      if (e.code !== "type" || e.column === null || e.value === null) continue;
      let sample = this.#samples.get(e.column);
      if (!sample) this.#samples.set(e.column, sample = []);
      if (sample.length < SAMPLE_PER_COLUMN) sample.push(e.value);
    }
  }

  /** The suggestions the samples support, numbered from 1, in the type's column order. */
  suggestions(type: ResolvedUploadType): Suggestion[] {
    const found: Suggestion[] = [];
    for (const column of type.columns) {
      const sample = this.#samples.get(column.name);
      if (!sample?.length) continue;
      const best = suggestFor(column, sample);
      if (best) found.push({ ...best, id: found.length + 1, applied: false });
    }
    return found;
  }
}

type Candidate = Omit<Suggestion, "id" | "applied">;

/** The best suggestion for a column whose values in `sample` failed, or null. */
export function suggestFor(column: ResolvedColumn, sample: readonly string[]): Candidate | null {
  const candidates = candidatesFor(column, sample);
  let best: { candidate: Candidate; read: Array<Value | CellFailure>; passed: number } | null =
    null;
  let tied = false;
  for (const candidate of candidates) {
    const rule = compileCellRule(withOptions(column, candidate));
    const read = sample.map((value) => rule(value));
    const passed = read.filter((v) => !(v instanceof CellFailure)).length;
    if (best === null || passed > best.passed) {
      best = { candidate, read, passed };
      tied = false;
    } else if (passed === best.passed && !sameReadings(read, best.read)) {
      tied = true;
    }
  }
  // "Most" of the failing values: more than half of the sample.
  if (!best || tied || best.passed * 2 <= sample.length) return null;
  return best.candidate;
}

/** The column with a suggestion's options added (what the run reads it with once applied). */
export function withOptions(column: ResolvedColumn, options: SuggestedOptions): ResolvedColumn {
  return {
    ...column,
    ...(options.formats ? { formats: options.formats } : {}),
    ...(options.nullValues ? { nullValues: options.nullValues } : {}),
    ...(options.decimalSeparator ? { decimalSeparator: options.decimalSeparator } : {}),
    ...(options.thousandsSeparator ? { thousandsSeparator: options.thousandsSeparator } : {}),
  };
}

/** The upload type as a run reads it: its columns with the run's applied suggestions added. */
export function withSuggestions(
  type: ResolvedUploadType,
  suggestions: readonly Suggestion[],
): ResolvedUploadType {
  const applied = suggestions.filter((s) => s.applied);
  if (applied.length === 0) return type;
  return {
    ...type,
    columns: type.columns.map((column) =>
      applied.filter((s) => s.column === column.name).reduce(withOptions, column)
    ),
  };
}

function candidatesFor(column: ResolvedColumn, sample: readonly string[]): Candidate[] {
  const name = column.name;
  const candidates: Candidate[] = [];
  if (column.type === "date") {
    for (const pattern of DATE_CANDIDATES) {
      if (column.formats?.includes(pattern)) continue;
      const formats = [...column.formats ?? [], pattern];
      candidates.push({
        kind: "formats",
        column: name,
        formats,
        label: `Read dates as ${pattern}`,
        config: `formats: ${list(formats)}`,
      });
    }
  }
  if (
    (column.type === "number" || column.type === "integer") && column.decimalSeparator !== ","
  ) {
    candidates.push(numberCandidate(name, { decimalSeparator: "," }));
    candidates.push(numberCandidate(name, { decimalSeparator: ",", thousandsSeparator: "." }));
    candidates.push(numberCandidate(name, { decimalSeparator: ",", thousandsSeparator: " " }));
  }
  if (
    (column.type === "number" || column.type === "integer") &&
    column.thousandsSeparator === undefined
  ) {
    candidates.push(numberCandidate(name, { thousandsSeparator: "," }));
  }
  // A marker read as empty fails `required` instead: no run gets valid rows from that.
  if (!column.required || column.default !== undefined) {
    const seen = new Set(sample.map((v) => v.trim()));
    const markers = NULL_CANDIDATES.filter((m) => seen.has(m) && !column.nullValues.includes(m));
    if (markers.length) {
      const nullValues = [...column.nullValues, ...markers];
      candidates.push({
        kind: "nullValues",
        column: name,
        nullValues,
        label: `Treat ${markers.join(", ")} as empty`,
        config: `nullValues: ${list(nullValues)}`,
      });
    }
  }
  return candidates;
}

function numberCandidate(
  column: string,
  options: Pick<SuggestedOptions, "decimalSeparator" | "thousandsSeparator">,
): Candidate {
  const words = [
    options.decimalSeparator ? "a decimal comma" : null,
    options.thousandsSeparator ? `"${options.thousandsSeparator}" between thousands` : null,
  ].filter((w) => w !== null);
  const config = [
    options.decimalSeparator ? `decimalSeparator: ${JSON.stringify(options.decimalSeparator)}` : "",
    options.thousandsSeparator
      ? `thousandsSeparator: ${JSON.stringify(options.thousandsSeparator)}`
      : "",
  ].filter((c) => c !== "").join(", ");
  return {
    kind: "numberFormat",
    column,
    ...options,
    label: `Read numbers with ${words.join(" and ")}`,
    config,
  };
}

function sameReadings(
  a: ReadonlyArray<Value | CellFailure>,
  b: ReadonlyArray<Value | CellFailure>,
) {
  return a.every((v, i) =>
    v instanceof CellFailure
      ? b[i] instanceof CellFailure
      : !(b[i] instanceof CellFailure) && v === b[i]
  );
}

// A list as a config file writes it: `["", "NA"]`.
function list(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(", ")}]`;
}
