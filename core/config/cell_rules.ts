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
import { canonicalDecimal, compareDecimal, suggestDecimal } from "./decimal.ts";
import { compareIsoDateTime, parseIsoDate, parseIsoDateTime, suggestIsoDate } from "./iso_dates.ts";
import type { ResolvedColumn } from "./upload_type_schema.ts";

/** A cell value after validation; numbers of `number` columns are exact decimal strings. */
export type Value = string | number | boolean | null;

/** Row error codes, stable for clients. */
export type RowErrorCode =
  | "required"
  | "type"
  | "pattern"
  | "min"
  | "max"
  | "max_length"
  | "enum"
  | "duplicate_key"
  | "unknown_reference"
  | "ragged_row";

/** Why a cell was refused. */
export class CellFailure {
  constructor(readonly code: RowErrorCode, readonly message: string) {}
}

/** A compiled rule for one column: a typed value, or why the cell is refused. */
export type CellRule = (raw: string) => Value | CellFailure;

type Parse = (text: string) => Value | CellFailure;

const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const TRUE = new Set(["true", "yes", "y", "1"]);
const FALSE = new Set(["false", "no", "n", "0"]);
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
 * Compiles the rule of one column (once per run, not per row). An empty cell (after trimming)
 * becomes the column's default, else null, and fails with `required` when the column is required.
 */
export function compileCellRule(column: ResolvedColumn): CellRule {
  const normalize = compileNormalize(column);
  const parse = compileTypeParser(column);
  const trims = column.normalize.includes("trim");
  let fallback: Value | CellFailure = column.required ? REQUIRED_FAILURE : null;
  if (column.default !== undefined) {
    const value = parse(normalize(String(column.default)));
    // The config schema refuses invalid defaults; a failure here would be a bug in that check.
    if (value instanceof CellFailure) throw new TypeError(`Invalid default of "${column.name}"`);
    fallback = value;
  }
  return (raw) => {
    const text = normalize(raw);
    if (text === "" || (!trims && text.trim() === "")) return fallback;
    return parse(text);
  };
}

function compileNormalize(column: ResolvedColumn): (raw: string) => string {
  const steps = column.normalize;
  if (steps.length === 1 && steps[0] === "trim") return (raw) => raw.trim();
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
      return withRange(column, compileNumber(), (l) => canonicalDecimal(String(l)), compareNumber);
    case "boolean":
      return (text) => {
        const lower = text.trim().toLowerCase();
        return TRUE.has(lower) ? true : FALSE.has(lower) ? false : BOOLEAN_FAILURE;
      };
    case "date":
      return withRange(
        column,
        (text) => parseIsoDate(text.trim()) ?? dateFailure(text.trim()),
        (l) => parseIsoDate(String(l)),
        compareText,
      );
    case "datetime":
      return withRange(
        column,
        (text) => parseIsoDateTime(text.trim()) ?? DATETIME_FAILURE,
        (l) => parseIsoDateTime(String(l)),
        compareIsoDateTime,
      );
    case "enum":
      return compileEnum(column);
    case "email":
      return withText(column, (text) => EMAIL.test(text) ? text : EMAIL_FAILURE);
    default:
      return withText(column, (text) => text);
  }
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
  return (raw) => {
    const text = raw.trim();
    if (!INTEGER.test(text)) return numberFailure(text, type, true);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) return value > 0 ? tooLarge : tooSmall;
    return value;
  };
}

function compileNumber(): (text: string) => string | CellFailure {
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
  const exact = new Set(values);
  const folded = new Map(values.map((v) => [v.toLowerCase(), v]));
  const failure = new CellFailure("enum", `Must be one of ${values.join(", ")}`);
  return (text) => {
    if (exact.has(text)) return text;
    return folded.get(text.trim().toLowerCase()) ?? failure;
  };
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
