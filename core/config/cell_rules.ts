/**
 * Per-column cell rules compiled once from config: normalization, the type's parsing and the
 * column's limits. A rule turns one raw cell into a typed value, or into a {@linkcode CellFailure}
 * with a stable code and a message in plain words that names the rule.
 *
 * Rules are the hot path of validation (a million rows × every column), so everything that
 * depends only on the column (regexes, messages, bounds, failure objects) is built here once.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { CellFailure, type RowErrorCode } from "./cell_failure.ts";
import { canonicalDecimal, compareDecimal, suggestDecimal } from "./decimal.ts";
import { compileDateFormats, compileDateTimeFormats } from "./date_formats.ts";
import { compareIsoDateTime, parseIsoDate, parseIsoDateTime, suggestIsoDate } from "./iso_dates.ts";
import { compileNumberFormat, numberExample, type NumberFormat } from "./number_formats.ts";
import type { ResolvedColumn } from "./upload_type_schema.ts";

export { CellFailure, type RowErrorCode };

/** A cell value after validation; numbers of `number` columns are exact decimal strings. */
export type Value = string | number | boolean | null;

/** A compiled rule for one column: a typed value, or why the cell is refused. */
export type CellRule = (raw: string) => Value | CellFailure;

type Parse = (text: string) => Value | CellFailure;

const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
/** A `boolean` column's words for true when it declares no `trueValues`. */
export const DEFAULT_TRUE: readonly string[] = ["true", "yes", "y", "1"];
/** A `boolean` column's words for false when it declares no `falseValues`. */
export const DEFAULT_FALSE: readonly string[] = ["false", "no", "n", "0"];
const TRUE = new Set(DEFAULT_TRUE);
const FALSE = new Set(DEFAULT_FALSE);
const INTEGER = /^[+-]?\d+$/;
const BOOLEAN_FAILURE = new CellFailure("type", "Must be true or false (also yes/no, y/n, 1/0)");
const DATE_FAILURE = new CellFailure(
  "type",
  "Must be a real date written YYYY-MM-DD, e.g. 2024-01-31",
);
const DATETIME_FAILURE = new CellFailure(
  "type",
  "Must be a date and time in ISO 8601 with a time zone, e.g. 2024-01-31T12:00:00Z",
);
const EMAIL_FAILURE = new CellFailure("type", "Must be an email address, e.g. name@example.com");
const REQUIRED_FAILURE = new CellFailure("required", "A value is required");

/**
 * Compiles the rule of one column (once per run, not per row). An empty cell (after trimming),
 * or one equal to a `nullValues` marker, becomes the column's default, else null, and fails with
 * `required` when the column is required. A column that declares none of the value options
 * (markers, formats, separators, words, `valueMap`) gets today's rule unchanged: the options
 * cost nothing where they are not used. With `typedNumbers`, the rule for cells that came typed
 * as numbers (a workbook's number cells, JSON numbers): a number column reads them as plain
 * numbers, whatever its separators, `percent` or `currency`.
 */
export function compileCellRule(column: ResolvedColumn, typedNumbers = false): CellRule {
  const normalize = compileNormalize(column);
  const textParse = compileTypeParser(column);
  // A cell that came typed as a number is no text in the file's locale (see RowValidator).
  const parse = typedNumbers && (column.type === "number" || column.type === "integer")
    ? compileTypeParser(plainNumbers(column))
    : textParse;
  const trims = column.normalize.includes("trim");
  let fallback: Value | CellFailure = column.required ? REQUIRED_FAILURE : null;
  if (column.default !== undefined) {
    // A number in the config is a number, not text in the file's locale.
    const parseDefault = typeof column.default === "number"
      ? compileTypeParser(plainNumbers(column))
      : textParse;
    const value = parseDefault(normalize(String(column.default)));
    // The config schema refuses invalid defaults; a failure here would be a bug in that check.
    if (value instanceof CellFailure) throw new TypeError(`Invalid default of "${column.name}"`);
    fallback = value;
  }
  // Markers are compared as cells are, so `case: "lower"` still finds "NA".
  const markers = new Set(
    column.nullValues.filter((m) => m.trim() !== "").map((m) => normalize(m.trim())),
  );
  if (markers.size > 0) {
    // Markers are short and most cells are not: a length check spares them the lookup.
    const longest = Math.max(...[...markers].map((m) => m.length));
    return (raw) => {
      const text = normalize(raw);
      if (text === "") return fallback;
      if (text.length <= longest && markers.has(trims ? text : text.trim())) return fallback;
      if (!trims && text.trim() === "") return fallback;
      return parse(text);
    };
  }
  return (raw) => {
    const text = normalize(raw);
    if (text === "" || (!trims && text.trim() === "")) return fallback;
    return parse(text);
  };
}

/** The column with its number options dropped: how numbers written in the config are read. */
export function plainNumbers(column: ResolvedColumn): ResolvedColumn {
  return {
    ...column,
    decimalSeparator: undefined,
    thousandsSeparator: undefined,
    percent: undefined,
    currency: undefined,
  };
}

function compileNormalize(column: ResolvedColumn): (raw: string) => string {
  // An enum matches ignoring case and stores its configured value: case changes nothing there.
  const steps = column.type === "enum"
    ? column.normalize.filter((step) => step === "trim")
    : column.normalize;
  if (steps.length === 1 && steps[0] === "trim") return (raw) => raw.trim();
  if (steps.length === 2 && steps[0] === "trim") {
    return steps[1] === "lower"
      ? (raw) => raw.trim().toLowerCase()
      : steps[1] === "upper"
      ? (raw) => raw.trim().toUpperCase()
      : (raw) => raw.trim();
  }
  return (raw) => {
    let text = raw;
    for (const step of steps) {
      text = step === "trim"
        ? text.trim()
        : step === "upper"
        ? text.toUpperCase()
        : text.toLowerCase();
    }
    return text;
  };
}

function compileTypeParser(column: ResolvedColumn): Parse {
  switch (column.type) {
    case "integer":
      return withRange(column, compileInteger(column), Number, (a, b) => a - b);
    case "number":
      return withRange(
        column,
        compileNumber(column),
        (l) => canonicalDecimal(String(l)),
        compareNumber,
      );
    case "boolean":
      return compileBoolean(column);
    case "date":
      return withRange(
        column,
        column.formats
          ? compileDateFormats(column.formats)
          : (text) => parseIsoDate(text.trim()) ?? dateFailure(text.trim()),
        (l) => parseIsoDate(String(l)),
        compareText,
      );
    case "datetime":
      return withRange(
        column,
        column.formats || column.timezone !== undefined
          ? compileDateTimeFormats(column.formats ?? [], column.timezone)
          : (text) => parseIsoDateTime(text.trim()) ?? DATETIME_FAILURE,
        (l) => parseIsoDateTime(String(l)),
        compareIsoDateTime,
      );
    case "enum":
      return compileEnum(column);
    case "email":
      return withText(column, (text) => EMAIL.test(text) ? text : EMAIL_FAILURE);
    default:
      return withValueMap(column, withText(column, (text) => text));
  }
}

/** The column's number format, or null when it declares none (then only plain decimals). */
function numberFormat(column: ResolvedColumn): NumberFormat | null {
  const { decimalSeparator, thousandsSeparator, percent, currency } = column;
  if (
    (decimalSeparator ?? ".") === "." && thousandsSeparator === undefined && !percent &&
    !currency?.length
  ) {
    return null;
  }
  return { decimalSeparator: decimalSeparator ?? ".", thousandsSeparator, percent, currency };
}

function compileBoolean(column: ResolvedColumn): Parse {
  if (!column.trueValues && !column.falseValues) {
    return (text) => {
      const lower = text.trim().toLowerCase();
      return TRUE.has(lower) ? true : FALSE.has(lower) ? false : BOOLEAN_FAILURE;
    };
  }
  const truth = column.trueValues ?? DEFAULT_TRUE;
  const falsity = column.falseValues ?? DEFAULT_FALSE;
  const trueSet = new Set(truth.map((v) => v.toLowerCase()));
  const falseSet = new Set(falsity.map((v) => v.toLowerCase()));
  const failure = new CellFailure(
    "type",
    `Must be true (${truth.join(", ")}) or false (${falsity.join(", ")})`,
  );
  return (text) => {
    const lower = text.trim().toLowerCase();
    return trueSet.has(lower) ? true : falseSet.has(lower) ? false : failure;
  };
}

/** Replaces a cell found in the column's `valueMap` (ignoring case) before `parse` checks it. */
function withValueMap(column: ResolvedColumn, parse: Parse): Parse {
  if (!column.valueMap) return parse;
  const entries = Object.entries(column.valueMap);
  const exact = new Map(entries);
  const folded = new Map(entries.map(([k, v]) => [k.toLowerCase(), v]));
  // Only a cell as long as some key can be one, so most cells skip lower-casing.
  const lengths = new Set(entries.map(([k]) => k.length));
  return (text) =>
    parse(
      exact.get(text) ?? (lengths.has(text.length) ? folded.get(text.toLowerCase()) : undefined) ??
        text,
    );
}

function compileInteger(column: ResolvedColumn): (text: string) => number | CellFailure {
  const type = new CellFailure("type", "Must be a whole number");
  // Past 2^53 a JS number no longer holds every integer exactly.
  const tooLarge = new CellFailure(
    "max",
    `Must be at most ${column.max ?? Number.MAX_SAFE_INTEGER}`,
  );
  const tooSmall = new CellFailure(
    "min",
    `Must be at least ${column.min ?? Number.MIN_SAFE_INTEGER}`,
  );
  const format = numberFormat(column);
  if (format) {
    const read = compileNumberFormat(format);
    const localized = new CellFailure(
      "type",
      `Must be a whole number written like ${numberExample(format, true)}`,
    );
    return (raw) => {
      const text = read(raw);
      if (text === null || !INTEGER.test(text)) return localized;
      const value = Number(text);
      if (!Number.isSafeInteger(value)) return value > 0 ? tooLarge : tooSmall;
      return value;
    };
  }
  return (raw) => {
    const text = raw.trim();
    if (!INTEGER.test(text)) return numberFailure(text, type, true);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) return value > 0 ? tooLarge : tooSmall;
    return value;
  };
}

function compileNumber(column: ResolvedColumn): (text: string) => string | CellFailure {
  const format = numberFormat(column);
  if (format) {
    const read = compileNumberFormat(format);
    const example = numberExample(format, false);
    const percent = format.percent ? ` or ${example}%` : "";
    const failure = new CellFailure("type", `Must be a number written like ${example}${percent}`);
    return (raw) => read(raw) ?? failure;
  }
  const type = new CellFailure("type", "Must be a number");
  return (raw) => {
    const text = raw.trim();
    return canonicalDecimal(text) ?? numberFailure(text, type, false);
  };
}

// Float comparison is monotonic, so it decides every case but a tie, which the exact decimal
// comparison settles (a bound of 90 must refuse "90.0000000000000000001").
function compareNumber(a: string, b: string): number {
  const diff = Number(a) - Number(b);
  return diff !== 0 ? diff : compareDecimal(a, b);
}

function compareText(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function dateFailure(text: string): CellFailure {
  const suggestions = suggestIsoDate(text);
  if (!suggestions) return DATE_FAILURE;
  return new CellFailure(
    "type",
    `Must be a real date written YYYY-MM-DD: write ${suggestions.join(" or ")}`,
  );
}

function numberFailure(text: string, failure: CellFailure, whole: boolean): CellFailure {
  const suggestions = suggestDecimal(text);
  if (!suggestions) return failure;
  const fits = whole ? suggestions.filter((s) => INTEGER.test(s)) : suggestions;
  if (fits.length === 0) return failure;
  const fix = whole ? "no thousands separators" : "no thousands separators, and a dot for decimals";
  return new CellFailure("type", `${failure.message}: write ${fits.join(" or ")} (${fix})`);
}

/** Adds the column's min/max to a parser; `bound` turns a config limit into a parsed value. */
function withRange<T extends Value>(
  column: ResolvedColumn,
  parse: (text: string) => T | CellFailure,
  bound: (limit: number | string) => T | null,
  compare: (a: T, b: T) => number,
): Parse {
  const min = column.min === undefined ? null : bound(column.min);
  const max = column.max === undefined ? null : bound(column.max);
  if (min === null && max === null) return parse;
  const temporal = column.type === "date" || column.type === "datetime";
  const below = new CellFailure(
    "min",
    temporal ? `Must be on or after ${min}` : `Must be at least ${min}`,
  );
  const above = new CellFailure(
    "max",
    temporal ? `Must be on or before ${max}` : `Must be at most ${max}`,
  );
  return (text) => {
    const value = parse(text);
    if (value instanceof CellFailure) return value;
    if (min !== null && compare(value, min) < 0) return below;
    if (max !== null && compare(value, max) > 0) return above;
    return value;
  };
}

function withText(column: ResolvedColumn, parse: Parse): Parse {
  // The whole cell must match (config docs), so `[A-Z]{3}` refuses "xxABCxx" and `a|b` "ab".
  const pattern = column.pattern === undefined ? undefined : new RegExp(`^(?:${column.pattern})$`);
  const patternFailure = new CellFailure("pattern", `Must match the pattern ${column.pattern}`);
  const maxLength = column.maxLength ?? Infinity;
  const lengthFailure = new CellFailure("max_length", `Must be at most ${maxLength} characters`);
  return (text) => {
    // UTF-16 length is an upper bound of the character count; count only when it might exceed.
    if (text.length > maxLength && codePoints(text) > maxLength) return lengthFailure;
    if (pattern && !pattern.test(text)) return patternFailure;
    return parse(text);
  };
}

function compileEnum(column: ResolvedColumn): Parse {
  const values = column.values ?? [];
  // A `valueMap` joins the lookups the enum makes anyway (its targets are values, checked at
  // start), so mapping costs an enum column nothing; a key wins over a value it equals.
  const mapped = Object.entries(column.valueMap ?? {}).map(([from, to]): [string, string] => [
    from,
    values.find((v) => v.toLowerCase() === to.toLowerCase()) ?? to,
  ]);
  const exact = new Map([...values.map((v): [string, string] => [v, v]), ...mapped]);
  const folded = new Map(
    [...values.map((v): [string, string] => [v, v]), ...mapped].map((
      [k, v],
    ) => [k.toLowerCase(), v]),
  );
  const failure = new CellFailure("enum", `Must be one of ${values.join(", ")}`);
  return (text) => exact.get(text) ?? folded.get(text.trim().toLowerCase()) ?? failure;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
