/**
 * How file headers are compared with a column's name, label and aliases. Browser compatible and
 * dependency-free, so the upload island can use the same rule as the server.
 *
 * @module
 */

/** Header text as matching compares it: case, spaces, `_` and `-` ignored. */
export function headerKey(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}
