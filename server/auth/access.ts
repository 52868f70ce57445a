/**
 * The access control of a running server, built once from the settings: the configured users
 * and tokens, the session key, and the rate limiters.
 *
 * @module
 */
import { parseRate, RateLimiter } from "../rate_limit.ts";
import type { Rate } from "../rate_limit.ts";
import type { TokenEntry } from "./api_tokens.ts";
import type { AuthSettings } from "./auth_settings.ts";
import type { UserEntry } from "./credentials.ts";
import { isLoopbackHost } from "./listen_policy.ts";
import { DEFAULT_COST, parsePasswordHash, verifyPassword } from "./password_hash.ts";
import { passwordTag, SessionCodec } from "./session_cookie.ts";

/** A configured user, with the tag its sessions must carry. */
export interface AccessUser extends UserEntry {
  passwordTag: string;
}

/** What the access middleware, the sign-in page and the upload routes work with. */
export interface Access {
  /** False when neither users nor tokens are configured: every request is the local admin. */
  readonly enabled: boolean;
  /**
   * Unauthenticated on a loopback address: requests must also name a loopback host, so a web
   * page cannot reach the server through a DNS name rebound to 127.0.0.1.
   */
  readonly loopbackOnly: boolean;
  readonly users: ReadonlyMap<string, AccessUser>;
  readonly tokens: readonly TokenEntry[];
  /** Signs session cookies; null when no users are configured. */
  readonly sessions: SessionCodec | null;
  /** `INTAKE_UPLOAD_RATE` per user, token or address; null for no limit. */
  readonly uploadLimiter: RateLimiter | null;
  /** Sign-in attempts per address and name. */
  readonly signInLimiter: RateLimiter;
  /** A hash to check unknown names against, so they take as long as known ones. */
  readonly decoyHash: string;
}

/** Sign-in attempts allowed per address and name: enough for typos, too few for guessing. */
export const SIGN_IN_RATE: Rate = parseRate("10/min");

/** Builds the access control from the settings. */
export async function createAccess(
  settings: { hostname: string; auth: AuthSettings; uploadRate: Rate | null },
): Promise<Access> {
  const { auth } = settings;
  const users = new Map<string, AccessUser>();
  for (const user of auth.users) {
    users.set(user.name, { ...user, passwordTag: await passwordTag(user.passwordHash) });
  }
  const cost = auth.users.length
    ? parsePasswordHash(auth.users[0].passwordHash)!.cost
    : DEFAULT_COST;
  return Object.freeze({
    enabled: auth.enabled,
    loopbackOnly: !auth.enabled && isLoopbackHost(settings.hostname),
    users,
    tokens: auth.tokens,
    sessions: auth.sessionSecret ? await SessionCodec.create(auth.sessionSecret) : null,
    uploadLimiter: settings.uploadRate ? new RateLimiter(settings.uploadRate) : null,
    signInLimiter: new RateLimiter(SIGN_IN_RATE),
    decoyHash: `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${"A".repeat(22)}$${
      "A".repeat(43)
    }`,
  });
}

/** The user when `name` and `password` match; unknown names cost as much time as wrong passwords. */
export async function checkSignIn(
  access: Access,
  name: string,
  password: string,
): Promise<AccessUser | null> {
  const user = access.users.get(name);
  const ok = await verifyPassword(password, user?.passwordHash ?? access.decoyHash);
  return ok && user ? user : null;
}
