/**
 * Writing CSV: one record per call, RFC 4180 quoting, and an opt-in guard against spreadsheet
 * formula injection for files people open in Excel.
 *
 * This module is browser compatible.
 *
 * @module
 */

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
// A plain number such as "-12.5" cannot run as a formula; escaping it would break re-uploads.
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/**
 * Formats one CSV record (with its CRLF line end); null and undefined become empty cells.
 *
 * @example
 * ```ts
 * import { csvRecord } from "./stringify.ts";
 * if (csvRecord(["a", 'say "hi"', null]) !== 'a,"say ""hi""",\r\n') throw new Error();
 * ```
 */
export function csvRecord(
  fields: readonly (string | number | boolean | null | undefined)[],
  options: { escapeFormulas?: boolean } = {},
): string {
  let line = "";
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ",";
    const value = fields[i];
    if (value === null || value === undefined) continue;
    let text = String(value);
    if (options.escapeFormulas && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) {
      text = `'${text}`;
    }
    line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }
  return line + "\r\n";
}
