/**
 * Security headers for every response, set by the root middleware (and the 500 page):
 *
 * - `Content-Security-Policy`: scripts, styles, images and connections from this origin only.
 *   No inline script is allowed: the Fresh layer boots islands from an external `boot.js`
 *   (`fresh/README.md`), and pages use no `style` attributes. No framing, no `<base>`, no plugins,
 *   forms post only here.
 * - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (for browsers without
 *   `frame-ancestors`), `Referrer-Policy: same-origin` (run ids stay on this site),
 *   `Cross-Origin-Opener-Policy` and `Cross-Origin-Resource-Policy: same-origin`.
 * - `Strict-Transport-Security` when the request came over https (directly or via a proxy's
 *   `X-Forwarded-Proto`).
 *
 * @module
 */

/** The policy every response carries. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const HEADERS: ReadonlyArray<[string, string]> = [
  ["content-security-policy", CONTENT_SECURITY_POLICY],
  ["x-content-type-options", "nosniff"],
  ["x-frame-options", "DENY"],
  ["referrer-policy", "same-origin"],
  ["cross-origin-opener-policy", "same-origin"],
  ["cross-origin-resource-policy", "same-origin"],
];

/** Returns true when the client reached us over https, directly or through a proxy. */
export function isHttps(req: Request): boolean {
  // `req.url` is serialised with a lower-case scheme: no need to parse it again.
  if (req.url.startsWith("https:")) return true;
  return req.headers.get("x-forwarded-proto")?.split(",")[0].trim().toLowerCase() === "https";
}

/** `res` with the security headers set (a copy when its headers are immutable). */
export function withSecurityHeaders(req: Request, res: Response): Response {
  let out = res;
  try {
    apply(req, res.headers);
  } catch {
    // Responses from Response.redirect() or fetch() have immutable headers.
    out = new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
    apply(req, out.headers);
  }
  return out;
}

function apply(req: Request, headers: Headers): void {
  setSecurityHeaders(headers, isHttps(req));
}

/** Sets the security headers on `headers` (HSTS too when `https`). */
export function setSecurityHeaders(headers: Headers, https: boolean): void {
  for (const [name, value] of HEADERS) headers.set(name, value);
  if (https) headers.set("strict-transport-security", "max-age=31536000");
}
