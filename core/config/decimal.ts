/**
 * Exact decimal text for `number` columns: they are stored as PostgreSQL `numeric`, so a value
 * travels as its digits, never through a float. Canonical form: an optional `-`, the integer part
 * without leading zeros, and the fraction digits exactly as written (`"1.10"` stays `"1.10"`,
 * which `numeric` keeps as scale 2); exponents are expanded (`"1.5e3"` → `"1500"`).
 *
 * This module is browser compatible.
 *
 * @module
 */

const PLAIN = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;
const NONZERO = /[1-9]/;
// Expanding 1e999999 would build a megabyte string; PostgreSQL's own limits are far beyond
// any real measurement anyway.
const MAX_EXPONENT = 1000;

/**
 * Returns the canonical decimal text of `text`, or null when it is not a plain decimal number
 * (no thousands separators, a dot for decimals, an optional exponent).
 *
 * @example
 * ```ts
 * import { canonicalDecimal } from "./decimal.ts";
 * if (canonicalDecimal("+007.50") !== "7.50" || canonicalDecimal("1,5") !== null) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function canonicalDecimal(text: string): string | null {
  if (PLAIN.test(text)) {
    return text.charCodeAt(0) === 45 && !NONZERO.test(text) ? text.slice(1) : text;
  }
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const sign = m[1];
  let int = m[2];
  let frac = m[3] ?? "";
  if (int === "" && frac === "") return null;
  if (m[4] !== undefined) {
    const exponent = Number(m[4]);
    if (Math.abs(exponent) > MAX_EXPONENT) return null;
    const digits = int + frac;
    const point = int.length + exponent;
    if (point <= 0) {
      int = "";
      frac = "0".repeat(-point) + digits;
    } else if (point >= digits.length) {
      int = digits + "0".repeat(point - digits.length);
      frac = "";
    } else {
      int = digits.slice(0, point);
      frac = digits.slice(point);
    }
  }
  int = int.replace(/^0+/, "") || "0";
  const negative = sign === "-" && (int !== "0" || NONZERO.test(frac));
  return (negative ? "-" : "") + int + (frac ? "." + frac : "");
}

/**
 * Compares two canonical decimals exactly: negative when `a < b`, 0 when equal, positive when
 * `a > b` (`"1.10"` equals `"1.1"`).
 */
export function compareDecimal(a: string, b: string): number {
  const negA = a.charCodeAt(0) === 45;
  const negB = b.charCodeAt(0) === 45;
  if (negA !== negB) return negA ? -1 : 1;
  const c = compareMagnitude(negA ? a.slice(1) : a, negB ? b.slice(1) : b);
  return negA ? -c : c;
}

function compareMagnitude(a: string, b: string): number {
  const dotA = a.indexOf(".");
  const dotB = b.indexOf(".");
  const intA = dotA < 0 ? a : a.slice(0, dotA);
  const intB = dotB < 0 ? b : b.slice(0, dotB);
  if (intA.length !== intB.length) return intA.length - intB.length;
  if (intA !== intB) return intA < intB ? -1 : 1;
  const fracA = dotA < 0 ? "" : a.slice(dotA + 1);
  const fracB = dotB < 0 ? "" : b.slice(dotB + 1);
  const width = Math.max(fracA.length, fracB.length);
  const padA = fracA.padEnd(width, "0");
  const padB = fracB.padEnd(width, "0");
  return padA === padB ? 0 : padA < padB ? -1 : 1;
}

const GROUPED_DOT = /^([+-]?)(\d{1,3}(?:,\d{3})+)(\.\d+)?$/;
const GROUPED_COMMA = /^([+-]?)(\d{1,3}(?:\.\d{3})+)(,\d+)?$/;
const GROUPED_SPACE = /^([+-]?)(\d{1,3}(?:[ '\u00a0\u202f\u2019]\d{3})+)([.,]\d+)?$/;
const DECIMAL_COMMA = /^([+-]?)(\d*),(\d+)$/;
const AMBIGUOUS = /^[+-]?\d{1,3},\d{3}$/;

/**
 * How a number written with thousands separators or a decimal comma should be written instead:
 * `"1,234.5"` and `"1.234,5"` → `["1234.5"]`; `"1,234"` could be either → `["1234", "1.234"]`;
 * null when `text` is not such a number.
 */
export function suggestDecimal(text: string): string[] | null {
  if (AMBIGUOUS.test(text)) return [text.replace(",", ""), text.replace(",", ".")];
  let m = GROUPED_DOT.exec(text) ?? GROUPED_SPACE.exec(text) ?? GROUPED_COMMA.exec(text);
  if (m) {
    const int = m[2].replace(/[^\d]/g, "");
    const frac = m[3] ? "." + m[3].slice(1) : "";
    return [(m[1] === "-" ? "-" : "") + int + frac];
  }
  m = DECIMAL_COMMA.exec(text);
  if (m) return [(m[1] === "-" ? "-" : "") + (m[2] || "0") + "." + m[3]];
  return null;
}
