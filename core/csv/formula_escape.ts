/**
 * The spreadsheet-formula guard of Intake's CSV, both ways, so that a download is safe to open in
 * Excel and uploading it again gives back exactly the same values.
 *
 * - Out ({@linkcode escapeFormula}): text that a spreadsheet would run as a formula, starting with
 *   `=`, `+`, `-`, `@`, a tab or a carriage return (plain numbers such as `-12.5` excepted), gets a
 *   leading `'`. So does text that starts with apostrophes followed by one of those (`'=x` →
 *   `''=x`), so that an apostrophe of the value itself is never mistaken for the guard.
 * - In ({@linkcode unescapeFormula}): a CSV/TSV cell that starts with one or more apostrophes
 *   followed by a trigger character loses exactly one apostrophe (`'=x` → `=x`, `''=x` → `'=x`).
 *   Any other apostrophe is kept (`'abc`, `'12`).
 *
 * This module is browser compatible.
 *
 * @example The round trip
 * ```ts
 * import { escapeFormula, unescapeFormula } from "./formula_escape.ts";
 * for (const value of ["=SUM(A1)", "'=x", "''@a", "'abc", "-12.5", "-x"]) {
 *   if (unescapeFormula(escapeFormula(value)) !== value) throw new Error(value);
 * }
 * if (escapeFormula("=1+1") !== "'=1+1") throw new Error("not escaped");
 * ```
 *
 * @module
 */

// Apostrophes (none, for the guard itself), then a character that starts a formula.
const GUARDED = /^'*[=+\-@\t\r]/;
const ESCAPED = /^'+[=+\-@\t\r]/;
// A plain number such as "-12.5" cannot run as a formula; escaping it would break re-uploads.
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** The text as a spreadsheet-safe CSV cell (a leading `'` where one is needed). */
export function escapeFormula(text: string): string {
  return GUARDED.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** The value of a CSV cell written by {@linkcode escapeFormula} (one guard `'` removed). */
export function unescapeFormula(text: string): string {
  // Most cells do not start with an apostrophe: one comparison, no regular expression.
  return text.charCodeAt(0) === 39 && ESCAPED.test(text) ? text.slice(1) : text;
}
