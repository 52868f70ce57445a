/**
 * The access settings of a server, read once at start with the other settings:
 *
 * | variable | meaning |
 * | --- | --- |
 * | `INTAKE_USERS` | users who sign in to the pages: a file path, or inline JSON |
 * | `INTAKE_TOKENS` | API tokens (by hash): a file path, or inline JSON |
 * | `INTAKE_SESSION_SECRET` | key of the session cookie's HMAC; 32+ characters; needed with users |
 * | `INTAKE_ALLOW_UNAUTHENTICATED` | `1`: allow a non-loopback `HOSTNAME` without users or tokens |
 *
 * Setting either `INTAKE_USERS` or `INTAKE_TOKENS` turns authentication on, even when the list is
 * empty (then nobody gets in), so a mistake fails closed.
 *
 * @module
 */
import type { TokenEntry } from "./api_tokens.ts";
import { parseTokens, parseUsers, type UserEntry } from "./credentials.ts";

/** Who may sign in and which tokens are valid. */
export interface AuthSettings {
  /** True when users or tokens are configured: every request must then authenticate. */
  enabled: boolean;
  users: readonly UserEntry[];
  tokens: readonly TokenEntry[];
  /** The session cookie's HMAC key; set whenever users are. */
  sessionSecret: string | undefined;
  /** The operator accepts an unauthenticated server on a non-loopback address. */
  allowUnauthenticated: boolean;
}

/** Shortest session secret accepted: 32 characters of a random string hold 128+ bits. */
const MIN_SECRET_LENGTH = 32;

/** Reads the access settings from `env`; throws `TypeError` with the variable's name on bad input. */
export function readAuthSettings(env: (name: string) => string | undefined): AuthSettings {
  const usersValue = env("INTAKE_USERS") || undefined;
  const tokensValue = env("INTAKE_TOKENS") || undefined;
  const users = usersValue
    ? parseUsers(readList(usersValue, "INTAKE_USERS"), source(usersValue, "INTAKE_USERS"))
    : [];
  const tokens = tokensValue
    ? parseTokens(readList(tokensValue, "INTAKE_TOKENS"), source(tokensValue, "INTAKE_TOKENS"))
    : [];
  const sessionSecret = env("INTAKE_SESSION_SECRET") || undefined;
  if (usersValue && (sessionSecret?.length ?? 0) < MIN_SECRET_LENGTH) {
    throw new TypeError(
      `INTAKE_USERS needs INTAKE_SESSION_SECRET of at least ${MIN_SECRET_LENGTH} characters ` +
        "to sign session cookies, e.g. the output of: openssl rand -base64 32",
    );
  }
  if (sessionSecret && !usersValue) {
    throw new TypeError(
      "INTAKE_SESSION_SECRET is set but INTAKE_USERS is not: nobody could sign in; " +
        "set INTAKE_USERS (see docs/operations.md, Access) or unset the secret",
    );
  }
  return Object.freeze({
    enabled: Boolean(usersValue || tokensValue),
    users: Object.freeze(users),
    tokens: Object.freeze(tokens),
    sessionSecret,
    allowUnauthenticated: flag(env, "INTAKE_ALLOW_UNAUTHENTICATED"),
  });
}

// Inline JSON starts with "["; anything else names a file (read now, at start).
function readList(value: string, name: string): string {
  if (value.trim().startsWith("[")) return value;
  try {
    return Deno.readTextFileSync(value);
  } catch (err) {
    throw new TypeError(`Cannot read ${name} file "${value}": ${(err as Error).message}`);
  }
}

function source(value: string, name: string): string {
  return value.trim().startsWith("[") ? name : `${name} file "${value}"`;
}

function flag(env: (name: string) => string | undefined, name: string): boolean {
  const value = (env(name) ?? "").trim().toLowerCase();
  if (value === "" || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new TypeError(`Invalid ${name} "${value}": use 1 or 0`);
}
