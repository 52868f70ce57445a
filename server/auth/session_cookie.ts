/**
 * The sign-in session: a cookie holding `{user, nonce, expiry, password tag}` signed with
 * HMAC-SHA-256 under `INTAKE_SESSION_SECRET`. Nothing is stored on the server, so any instance
 * with the same secret accepts it. The password tag (a hash of the user's password hash) ends
 * every session of a user whose password changes; rotating the secret ends all sessions.
 *
 * The anti-CSRF token of forms is derived from the session's nonce with the same key, so it is
 * fixed for the session and useless without the cookie.
 *
 * @example Issue and read back
 * ```ts
 * import { SessionCodec } from "./session_cookie.ts";
 * const codec = await SessionCodec.create("a-secret-of-at-least-32-characters!");
 * const user = { name: "alice", passwordHash: "$scrypt$…" };
 * const value = await codec.issue(user, 0);
 * const session = await codec.read(value, 1000);
 * if (session?.name !== "alice") throw new Error("unexpected");
 * if (await codec.read(value.slice(0, -2) + "AA", 1000) !== null) throw new Error("unexpected");
 * ```
 *
 * @module
 */

/** The cookie's name. */
export const SESSION_COOKIE = "intake_session";
/** How long a session lasts from sign-in. */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

/** What a valid session cookie says. */
export interface Session {
  name: string;
  /** Random per sign-in; the anti-CSRF token is derived from it. */
  nonce: string;
  /** Expiry, in milliseconds since the epoch. */
  expiresAt: number;
  /** Tag of the user's password hash at sign-in (see {@linkcode passwordTag}). */
  passwordTag: string;
}

const encoder = new TextEncoder();

/** Signs and checks session cookies and anti-CSRF tokens with one HMAC key. */
export class SessionCodec {
  #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** Imports `secret` as the HMAC-SHA-256 key. */
  static async create(secret: string): Promise<SessionCodec> {
    const key = await crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new SessionCodec(key);
  }

  /** A signed cookie value for `user`, valid for {@linkcode SESSION_TTL_SECONDS} from `now`. */
  async issue(
    user: { name: string; passwordHash: string },
    now: number = Date.now(),
  ): Promise<string> {
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
    const payload = {
      u: user.name,
      n: nonce,
      e: now + SESSION_TTL_SECONDS * 1000,
      p: await passwordTag(user.passwordHash),
    };
    const body = base64url(encoder.encode(JSON.stringify(payload)));
    return `${body}.${base64url(await this.#sign(`session.${body}`))}`;
  }

  /** The session in `value` when it is signed by this key and not expired at `now`; else null. */
  async read(value: string, now: number = Date.now()): Promise<Session | null> {
    const [body, signature, extra] = value.split(".");
    if (!body || !signature || extra !== undefined) return null;
    const sig = unbase64url(signature);
    if (!sig || !await this.#verify(`session.${body}`, sig)) return null;
    let payload: { u?: unknown; n?: unknown; e?: unknown; p?: unknown };
    try {
      payload = JSON.parse(new TextDecoder().decode(unbase64url(body) ?? new Uint8Array()));
    } catch {
      return null;
    }
    const { u, n, e, p } = payload;
    if (typeof u !== "string" || typeof n !== "string" || typeof e !== "number") return null;
    if (typeof p !== "string" || e <= now) return null;
    return { name: u, nonce: n, expiresAt: e, passwordTag: p };
  }

  /** The anti-CSRF token of the session with `nonce`. */
  async csrfToken(nonce: string): Promise<string> {
    return base64url(await this.#sign(`csrf.${nonce}`));
  }

  async #sign(message: string): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.sign("HMAC", this.#key, encoder.encode(message)));
  }

  // crypto.subtle.verify compares in constant time.
  #verify(message: string, signature: Uint8Array): Promise<boolean> {
    return crypto.subtle.verify(
      "HMAC",
      this.#key,
      signature as Uint8Array<ArrayBuffer>,
      encoder.encode(message),
    );
  }
}

/** A short tag of a password hash: changes whenever the password does, reveals nothing of it. */
export async function passwordTag(passwordHash: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(passwordHash));
  return base64url(new Uint8Array(digest).slice(0, 9));
}

/** `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Secure over https. */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${SESSION_TTL_SECONDS}; HttpOnly; ` +
    `SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** The value of cookie `name` in the request, or null. */
export function readCookie(req: Request, name: string): string | null {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

function base64url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

function unbase64url(text: string): Uint8Array | null {
  try {
    return Uint8Array.fromBase64(text, { alphabet: "base64url" });
  } catch {
    return null;
  }
}
