/**
 * Cross-site request forgery: a page on another site can make the browser post a form to us,
 * cookies included. Unsafe requests must therefore come from our own pages, which browsers say
 * in `Origin` (or `Sec-Fetch-Site`). When a browser sends neither, a cookie-authenticated request
 * must carry the session's anti-CSRF token: the `_csrf` field of the form (the first field, in a
 * multipart upload) or an `X-CSRF-Token` header. Bearer-token requests are exempt: no browser adds
 * that header on its own.
 *
 * @module
 */
import { IngestError } from "../../core/errors.ts";
import { readMultipartFile } from "../multipart.ts";
import { constantTimeEqual } from "./constant_time_equal.ts";
import type { Principal } from "./principal.ts";

/** The form field that carries the anti-CSRF token. */
export const CSRF_FIELD = "_csrf";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Largest urlencoded form read for its token; our forms are a few kilobytes. */
const MAX_FORM_BYTES = 1024 * 1024;

/** Throws `csrf_rejected` when an unsafe request may have been sent by another site's page. */
export async function checkCsrf(req: Request, principal: Principal | null): Promise<void> {
  if (SAFE_METHODS.has(req.method) || principal?.via === "token") return;
  const origin = req.headers.get("origin");
  if (origin !== null) {
    if (sameHost(origin, req)) return;
    throw rejected(`The request came from another site ("${origin}")`, { origin });
  }
  const site = req.headers.get("sec-fetch-site");
  if (site !== null) {
    if (site === "same-origin" || site === "none") return;
    throw rejected(`The request came from another site (Sec-Fetch-Site: ${site})`, { site });
  }
  // No cookie session: a forged request would carry no credentials worth anything.
  if (principal?.via !== "session") return;
  const token = req.headers.get("x-csrf-token") ?? await formToken(req);
  const expected = new TextEncoder().encode(principal.csrfToken ?? "");
  if (token !== null && constantTimeEqual(new TextEncoder().encode(token), expected)) return;
  throw rejected(
    "The form carries no valid anti-CSRF token (and the browser sent no Origin): reload the page " +
      "and submit again",
    {},
  );
}

// Behind a proxy that rewrites Host, the browser's host is in X-Forwarded-Host; forged form posts
// cannot set either header, so trusting it here lets nothing cross-site through.
function sameHost(origin: string, req: Request): boolean {
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false; // "null" and other opaque origins
  }
  const forwarded = req.headers.get("x-forwarded-host")?.split(",")[0].trim();
  return host === new URL(req.url).host || host === forwarded;
}

/** The token from a copy of the body, leaving the request's own body to its handler. */
async function formToken(req: Request): Promise<string | null> {
  const type = req.headers.get("content-type") ?? "";
  if (!req.body) return null;
  try {
    if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
      if (Number(req.headers.get("content-length") ?? 0) > MAX_FORM_BYTES) return null;
      const value = (await req.clone().formData()).get(CSRF_FIELD);
      return typeof value === "string" ? value : null;
    }
    if (/^multipart\/form-data\b/i.test(type)) {
      // Only the fields before the file are read; the upload itself streams to the handler.
      const part = await readMultipartFile(req.clone().body!, type);
      // Cancelling the copy stops it from queueing the rest of the upload. Not awaited: a tee
      // branch's cancel settles only once the other branch (the route's body) ends as well.
      part.stream.cancel().catch(() => {});
      return part.fields[CSRF_FIELD] ?? null;
    }
  } catch {
    return null;
  }
  return null;
}

function rejected(message: string, details: Record<string, unknown>): IngestError {
  return new IngestError("csrf_rejected", message, details);
}
