/**
 * What `Deno.serve` answers (its `onError`) when the app could not handle a request at all: the
 * Fresh layer refuses a request it cannot route, such as one whose `Host` header makes no valid
 * URL (`a b`, `x:y:z`, `127.0.0.1:99999`), with an `HttpError`. It is the API's JSON error with
 * the security headers and a JSON log line, like every other answer, not Deno's plain-text 500
 * and a stack trace on stderr.
 *
 * @module
 */
import { HttpError } from "$fresh/server.ts";
import { IngestError } from "../core/errors.ts";
import { errorResponse } from "./http_errors.ts";
import { log } from "../host/deno/log.ts";
import { setSecurityHeaders } from "./security_headers.ts";

/** The typed answer to a request the app could not handle (`bad_request`, or a logged 500). */
export function unservedRequest(err: unknown): Response {
  let error = err;
  if (err instanceof HttpError && err.status < 500) {
    error = new IngestError("bad_request", err.message, {});
    log.warn("request refused", { error_type: "bad_request", reason: err.message });
  }
  // There is no request to tell https from http: no HSTS here.
  const res = errorResponse(error);
  setSecurityHeaders(res.headers, false);
  return res;
}
