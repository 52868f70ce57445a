/**
 * Who a request is: a bearer token (API clients), a session cookie (the pages and their islands),
 * or, when authentication is off, the implicit local admin.
 *
 * @module
 */
import { findToken } from "./api_tokens.ts";
import type { Access } from "./access.ts";
import { LOCAL_ADMIN, type Principal } from "./principal.ts";
import { readCookie, SESSION_COOKIE } from "./session_cookie.ts";

/** The outcome: a principal, or nobody (and whether a credential was sent and refused). */
export type Authentication =
  | { principal: Principal; invalidToken: false }
  | { principal: null; invalidToken: boolean };

/**
 * Authenticates `req`. An `Authorization` header must hold a valid bearer token (anything else
 * is refused, not ignored); without one, a valid session cookie of a configured user counts.
 */
export async function authenticate(req: Request, access: Access): Promise<Authentication> {
  if (!access.enabled) return { principal: LOCAL_ADMIN, invalidToken: false };
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
    const entry = token ? await findToken(access.tokens, token) : null;
    if (!entry) return { principal: null, invalidToken: true };
    return {
      principal: { name: entry.name, role: entry.role, via: "token", csrfToken: null },
      invalidToken: false,
    };
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  const session = cookie && access.sessions ? await access.sessions.read(cookie) : null;
  const user = session ? access.users.get(session.name) : undefined;
  // A changed password ends the user's sessions: the tag no longer matches.
  if (!session || !user || user.passwordTag !== session.passwordTag) {
    return { principal: null, invalidToken: false };
  }
  return {
    principal: {
      name: user.name,
      role: user.role,
      via: "session",
      csrfToken: await access.sessions!.csrfToken(session.nonce),
    },
    invalidToken: false,
  };
}
