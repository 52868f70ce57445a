/**
 * PostgreSQL's errors as Intake reads them: SQLSTATE classes and codes, and the connection
 * failures postgres.js reports, told apart for the store's callers.
 *
 * @module
 */

/** True for an error of PostgreSQL's classes 22 (data exception) and 23 (integrity constraint). */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code);
}
