/**
 * The one place where core's typed errors become HTTP responses:
 * `{"error": {"type", "message", "details"}}` with a fitting status.
 *
 * @module
 */
import { type IngestError, type IngestErrorType, toIngestError } from "../core/errors.ts";
import { log } from "../host/deno/log.ts";

/** HTTP status for each error type. */
export const STATUS_OF: Record<IngestErrorType, number> = {
  bad_request: 400,
  unknown_upload_type: 404,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  csrf_rejected: 403,
  rate_limited: 429,
  unsupported_file_type: 415,
  file_too_large: 413,
  too_many_rows: 413,
  limit_exceeded: 413,
  encoding_error: 422,
  parse_error: 422,
  header_error: 422,
  mapping_required: 422,
  validation_error: 422,
  conflict: 409,
  stale_review: 409,
  revert_conflict: 409,
  nothing_to_commit: 409,
  constraint_violation: 409,
  cancelled: 400,
  interrupted: 500,
  database_unavailable: 503,
  server_busy: 503,
  type_not_ready: 503,
  internal_error: 500,
};

/** Turns any thrown value into a JSON error response (unexpected errors are logged, not shown). */
export function errorResponse(err: unknown, headers?: HeadersInit): Response {
  const error = toIngestError(err);
  const status = STATUS_OF[error.type];
  if (status >= 500) {
    // A full server refusing more is working as designed: a burst must not flood the error log.
    const level = error.type === "server_busy" ? "warn" : "error";
    // A typed error raised on purpose (a run's type_not_ready) has no cause: its message says it.
    const cause = error.cause === undefined ? error.message : String(error.cause);
    log[level]("request failed", { error_type: error.type, cause });
  }
  const out = errorHeaders(error);
  new Headers(headers).forEach((value, name) => out.set(name, value));
  return Response.json({ error: error.toJSON() }, { status, headers: out });
}

/**
 * The headers an error type calls for: `WWW-Authenticate` on `unauthorized` (RFC 6750, with
 * `error="invalid_token"` when a token was sent and refused) and `Retry-After` on `rate_limited`
 * and `server_busy`.
 */
export function errorHeaders(error: IngestError): Headers {
  const headers = new Headers();
  if (error.type === "unauthorized") {
    const invalid = error.details.reason === "invalid_token" ? ', error="invalid_token"' : "";
    headers.set("www-authenticate", `Bearer realm="intake"${invalid}`);
  }
  const retry = error.type === "rate_limited" || error.type === "server_busy";
  if (retry && typeof error.details.retryAfterSeconds === "number") {
    headers.set("retry-after", String(error.details.retryAfterSeconds));
  }
  return headers;
}
