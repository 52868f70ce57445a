/**
 * JSON numbers kept as the text the file holds: `JSON.parse` turns `12345678901234567890123` into
 * `1.2345678901234568e+22` and `1e-400` into `0`, which a decimal column must not receive.
 * With JSON.parse source text access (`context.source` in a reviver, and `JSON.rawJSON`, in V8
 * since 11.4) each number becomes a raw JSON value holding its source text: it reads back as
 * that text, and `JSON.stringify` writes it unchanged inside nested values.
 *
 * That parse is about ten times slower than a plain one, so {@linkcode mayLoseNumbers} tells (by
 * one native regular-expression scan) whether an element's text holds a number a double could
 * change at all: 16 or more digits and points in a row, or an exponent. A runtime without source
 * text access parses numbers as doubles.
 *
 * This module is browser compatible.
 *
 * @example A number beyond double precision keeps its digits
 * ```ts
 * import { exactNumbers, rawNumberText } from "./exact_numbers.ts";
 * const value = exactNumbers('{"n": 12345678901234567890123}') as Record<string, unknown>;
 * if (rawNumberText(value.n) !== "12345678901234567890123") throw new Error("unexpected");
 * ```
 *
 * @module
 */

/** The slice of JSON.parse source text access used here (not yet in TypeScript's lib). */
interface JsonWithSource {
  rawJSON(text: string): object;
  isRawJSON(value: unknown): value is { rawJSON: string };
  // deno-lint-ignore no-explicit-any
  parse(text: string, reviver: (key: string, value: any, context: { source?: string }) => any): any;
}

const json = JSON as unknown as Partial<JsonWithSource> & JSON;
const supported = typeof json.rawJSON === "function" && typeof json.isRawJSON === "function";

// A digit then 15 more digits or points (16+ significant characters), or a digit, an exponent
// and a number's end: other numbers round-trip through a double as the same value.
const MAY_LOSE = /\d[\d.]{15}|\d[eE][+-]?\d+[\s,}\]]/;

/**
 * True when `text` may hold a number that a double would change (NDJSON lines; the array
 * reader finds the same from its own character scan).
 */
export function mayLoseNumbers(text: string): boolean {
  return supported && MAY_LOSE.test(text);
}

/**
 * Parses JSON text with each number a double changes (its value, not its spelling: `12.50` and
 * `-3e2` stay doubles) kept as a raw JSON value of its source text.
 */
export function exactNumbers(text: string): unknown {
  if (!supported) return JSON.parse(text);
  const withSource = json as JsonWithSource;
  return withSource.parse(
    text,
    (_key, value, context) =>
      typeof value === "number" && context.source !== undefined &&
        !sameDecimal(context.source, String(value))
        ? withSource.rawJSON(context.source)
        : value,
  );
}

/** The source text of a number parsed by {@linkcode exactNumbers}, else undefined. */
export function rawNumberText(value: unknown): string | undefined {
  return supported && (json as JsonWithSource).isRawJSON(value) ? value.rawJSON : undefined;
}

/** True when two JSON numbers denote the same decimal value (`12.50` and `12.5`, `-3e2` and `-300`). */
function sameDecimal(a: string, b: string): boolean {
  return a === b || canonical(a) === canonical(b);
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** `sign digits e exponent`, without leading or trailing zeros in the digits. */
function canonical(text: string): string {
  const [, sign, whole, fraction = "", exponent = "0"] = NUMBER.exec(text) ?? [];
  if (whole === undefined) return text;
  let digits = (whole + fraction).replace(/^0+/, "");
  const trimmed = digits.replace(/0+$/, "");
  const power = Number(exponent) - fraction.length + (digits.length - trimmed.length);
  digits = trimmed;
  return digits === "" ? "0" : `${sign}${digits}e${power}`;
}
