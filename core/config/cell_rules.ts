/**
 * Per-column cell rules compiled from config: normalization, the type's parsing, and the
 * column's limits. Each rule turns a raw cell into a typed value or one failed check with a
 * stable code and a message in plain words.
 *
 * This module is browser compatible.
 *
 * @module
 */
import type { CellValue } from "../store.ts";
import type { ResolvedColumn } from "./upload_type_schema.ts";

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
  | "ragged_row";

/** The outcome of checking one cell. */
export type CellResult = { ok: true; value: CellValue } | {
  ok: false;
  code: RowErrorCode;
  message: string;
};

/** A compiled rule for one column. */
export type CellRule = (raw: string) => CellResult;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const THOUSANDS = /^[+-]?\d{1,3}([,. ']\d{3})+([.,]\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TRUE = new Set(["true", "yes", "y", "1", "t"]);
const FALSE = new Set(["false", "no", "n", "0", "f"]);

function fail(code: RowErrorCode, message: string): CellResult {
  return { ok: false, code, message };
}

/** Compiles the rule of one column (once per run, not per row). */
export function compileCellRule(column: ResolvedColumn): CellRule {
  const normalize = compileNormalize(column);
  const parse = compileTypeParser(column);
  const fallback = column.default === undefined ? null : parse(String(column.default));
  const defaultValue = fallback?.ok ? fallback.value : null;
  return (raw) => {
    const text = normalize(raw);
    if (text === "") {
      if (defaultValue !== null) return { ok: true, value: defaultValue };
      return column.required ? fail("required", "A value is required") : { ok: true, value: null };
    }
    return parse(text);
  };
}

function compileNormalize(column: ResolvedColumn): (raw: string) => string {
  const steps = column.normalize;
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

function compileTypeParser(column: ResolvedColumn): CellRule {
  switch (column.type) {
    case "integer":
      return withRange(column, (text) => {
        if (!INTEGER.test(text)) return fail("type", numberHint(text, "Must be a whole number"));
        const value = Number(text);
        if (!Number.isSafeInteger(value)) return fail("max", "Must be a smaller whole number");
        return { ok: true, value };
      });
    case "number":
      return withRange(column, (text) => {
        if (!NUMBER.test(text)) return fail("type", numberHint(text, "Must be a number"));
        // Kept as text so a numeric column stores exactly the digits the file had.
        return { ok: true, value: text.startsWith("+") ? text.slice(1) : text };
      });
    case "boolean":
      return (text) => {
        const lower = text.toLowerCase();
        if (TRUE.has(lower)) return { ok: true, value: true };
        if (FALSE.has(lower)) return { ok: true, value: false };
        return fail("type", "Must be true or false (also yes/no, 1/0)");
      };
    case "date":
      return withRange(column, (text) => {
        const m = DATE.exec(text);
        if (!m || !isCalendarDate(+m[1], +m[2], +m[3])) {
          return fail("type", "Must be a date written as YYYY-MM-DD, e.g. 2024-01-31");
        }
        return { ok: true, value: text };
      });
    case "datetime":
      return withRange(column, (text) => {
        const ms = DATETIME.test(text) ? Date.parse(text.replace(" ", "T")) : NaN;
        if (Number.isNaN(ms)) {
          return fail("type", "Must be a date and time in ISO 8601, e.g. 2024-01-31T12:00:00Z");
        }
        return { ok: true, value: new Date(ms).toISOString() };
      });
    case "enum":
      return compileEnum(column);
    case "email":
      return withText(
        column,
        (text) =>
          EMAIL.test(text)
            ? { ok: true, value: text }
            : fail("type", "Must be an email address such as name@example.com"),
      );
    default:
      return withText(column, (text) => ({ ok: true, value: text }));
  }
}

function withText(column: ResolvedColumn, parse: CellRule): CellRule {
  const pattern = column.pattern === undefined ? undefined : new RegExp(column.pattern);
  const maxLength = column.maxLength;
  return (text) => {
    if (maxLength !== undefined && text.length > maxLength) {
      return fail("max_length", `Must be at most ${maxLength} characters (has ${text.length})`);
    }
    if (pattern && !pattern.test(text)) {
      return fail("pattern", `Must match the pattern ${column.pattern}`);
    }
    return parse(text);
  };
}

function withRange(column: ResolvedColumn, parse: CellRule): CellRule {
  const { min, max } = column;
  if (min === undefined && max === undefined) return parse;
  const numeric = column.type === "integer" || column.type === "number";
  const below = (v: CellValue) => numeric ? Number(v) < Number(min) : String(v) < String(min);
  const above = (v: CellValue) => numeric ? Number(v) > Number(max) : String(v) > String(max);
  return (text) => {
    const result = parse(text);
    if (!result.ok) return result;
    if (min !== undefined && below(result.value)) return fail("min", `Must be at least ${min}`);
    if (max !== undefined && above(result.value)) return fail("max", `Must be at most ${max}`);
    return result;
  };
}

function compileEnum(column: ResolvedColumn): CellRule {
  const values = new Map((column.values ?? []).map((v) => [v.toLowerCase(), v]));
  const message = `Must be one of ${(column.values ?? []).join(", ")}`;
  return (text) => {
    const value = values.get(text.toLowerCase());
    return value === undefined ? fail("enum", message) : { ok: true, value };
  };
}

function numberHint(text: string, message: string): string {
  if (DECIMAL_COMMA.test(text)) return `${message}: use a dot for decimals (1.5, not 1,5)`;
  if (THOUSANDS.test(text)) return `${message}: remove thousands separators (1234, not 1,234)`;
  return message;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day;
}
