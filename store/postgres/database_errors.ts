/**
 * PostgreSQL's errors as Intake reads them: SQLSTATE classes and codes, and the connection
 * failures postgres.js reports, told apart for the store's callers.
 *
 * @module
 */
import { IngestError } from "../../core/errors.ts";

/** True for an error of PostgreSQL's classes 22 (data exception) and 23 (integrity constraint). */
export function isDataError(err: unknown): boolean {
  // The drivers type class 23 and some of class 22 (db/database_errors.ts), keeping the SQLSTATE.
  const code = err instanceof IngestError
    ? err.details.sqlState
    : (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^2[23][0-9A-Z]{3}$/.test(code);
}
