/**
 * Writing CSV: one record per call, RFC 4180 quoting, and an opt-in guard against spreadsheet
 * formula injection for files people open in Excel (`formula_escape.ts`, which uploads undo).
 *
 * This module is browser compatible.
 *
 * @module
 */

import { escapeFormula } from "./formula_escape.ts";

const NEEDS_QUOTES = /[",\r\n]/;

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
    const text = options.escapeFormulas ? escapeFormula(String(value)) : String(value);
    line += NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }
  return line + "\r\n";
}
