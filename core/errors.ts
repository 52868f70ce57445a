/**
 * Typed errors of the ingest pipeline. Every failure a user can cause has a stable `type` code,
 * a sentence-case message and JSON-safe `details`; routes map the type to an HTTP status in one
 * place (`routes/api/_errors.ts`), so core never speaks HTTP.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { boundDetails, boundText } from "./error_bounds.ts";

/** Stable error codes that clients may switch on. */
export type IngestErrorType =
  | "bad_request"
  | "unknown_upload_type"
  | "unsupported_file_type"
  | "file_too_large"
  | "encoding_error"
  | "parse_error"
  | "header_error"
  | "mapping_required"
  | "validation_error"
  | "too_many_rows"
  | "limit_exceeded"
  | "not_found"
  | "unauthorized"
  | "forbidden"
  | "csrf_rejected"
  | "rate_limited"
  | "conflict"
  | "stale_review"
  | "revert_conflict"
  | "nothing_to_commit"
  | "constraint_violation"
  | "database_unavailable"
  | "server_busy"
  | "type_not_ready"
  | "cancelled"
  | "interrupted"
  | "internal_error";

/** JSON-safe details attached to an error (row, column, lists of headers, …). */
export type ErrorDetails = Record<string, unknown>;

/**
 * An error a user can cause and fix, with a stable `type` code. Its message and details are
 * bounded when it is made (`error_bounds.ts`): whatever they quote of the input, the error stays
 * small enough to store, log and show.
 *
 * @example Throw and inspect
 * ```ts
 * import { IngestError } from "./errors.ts";
 * const err = new IngestError("parse_error", "Unclosed quote: field opened on line 3", { line: 3 });
 * if (err.type !== "parse_error" || err.details.line !== 3) throw new Error("unexpected");
 * ```
 */
export class IngestError extends Error {
  /** Stable machine-readable code. */
  readonly type: IngestErrorType;
  /** JSON-safe details (row, column, missing headers, …). */
  readonly details: ErrorDetails;

  constructor(
    type: IngestErrorType,
    message: string,
    details: ErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(boundText(message), options);
    this.name = "IngestError";
    this.type = type;
    this.details = boundDetails(details);
  }

  /** The wire shape `{type, message, details}` used by the API and the run record. */
  toJSON(): { type: IngestErrorType; message: string; details: ErrorDetails } {
    return { type: this.type, message: this.message, details: this.details };
  }
}

/** Returns true when `err` is an {@linkcode IngestError} of the given type (or any type). */
export function isIngestError(err: unknown, type?: IngestErrorType): err is IngestError {
  return err instanceof IngestError && (type === undefined || err.type === type);
}

/**
 * Wraps any thrown value as an {@linkcode IngestError}, keeping typed ones as they are. Errors of
 * the database arrive typed already (the drivers map SQLSTATEs: `db/database_errors.ts`); what is
 * left is a defect, reported as `internal_error`.
 */
export function toIngestError(err: unknown): IngestError {
  if (err instanceof IngestError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new IngestError("internal_error", `Unexpected error: ${message}`, {}, { cause: err });
}
