/**
 * Keeps secrets out of logs: values of secret-looking fields are replaced, and passwords in
 * connection URLs and credentials after `Bearer`/`Basic` are masked wherever they appear in text.
 *
 * @module
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

// Field names whose values are secrets whatever they look like.
const SECRET_FIELD =
  /authorization|cookie|password|passwd|secret|token|api[_-]?key|credential|session/i;
// scheme://user:password@host → keeps the user and host, masks the password.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
// libpq key=value connection strings: password=… up to the next space.
const KEY_VALUE_PASSWORD = /\b(password|passwd)\s*=\s*('[^']*'|\S+)/gi;
const MAX_DEPTH = 6;

/** Masks passwords in URLs and `key=value` strings, and credentials after `Bearer`/`Basic`. */
export function redactText(text: string): string {
  return text
    .replace(URL_PASSWORD, `$1:${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(KEY_VALUE_PASSWORD, `$1=${REDACTED}`);
}

/**
 * Returns a copy of `value` safe to log: secret-looking fields replaced, strings passed through
 * {@linkcode redactText}; nesting deeper than a few levels is cut.
 *
 * @example
 * ```ts
 * import { redact } from "./redact.ts";
 * const safe = redact({ authorization: "Bearer abc", url: "postgres://app:pw@db/intake" });
 * if (JSON.stringify(safe).includes("pw@")) throw new Error("password leaked");
 * ```
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Error) return redactText(`${value.name}: ${value.message}`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_FIELD.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return out;
}
