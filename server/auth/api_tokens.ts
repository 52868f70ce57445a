/**
 * API tokens: random strings handed to scripts, stored in the configuration only as their SHA-256
 * (a fast hash is enough for 256 random bits) and compared against every configured hash in
 * constant time.
 *
 * @example Make a token, store its hash, find it again
 * ```ts
 * import { findToken, hashApiToken, newApiToken } from "./api_tokens.ts";
 * const token = newApiToken();
 * const tokens = [{ name: "ci", role: "uploader" as const, tokenHash: await hashApiToken(token) }];
 * if ((await findToken(tokens, token))?.name !== "ci") throw new Error("unexpected");
 * if (await findToken(tokens, token + "x") !== null) throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { constantTimeEqual } from "./constant_time_equal.ts";
import type { Role } from "./roles.ts";

/** A token as configured: who it acts as, and the hex SHA-256 of the token itself. */
export interface TokenEntry {
  name: string;
  role: Role;
  tokenHash: string;
}

/** A new token: `intake_` and 32 random bytes, base64url (the prefix helps secret scanners). */
export function newApiToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return "intake_" + bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/** The hex SHA-256 of a token, as the tokens file stores it. */
export async function hashApiToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The configured token matching `presented`, or null; every entry is compared, always. */
export async function findToken<T extends TokenEntry>(
  tokens: readonly T[],
  presented: string,
): Promise<T | null> {
  const hash = hexBytes(await hashApiToken(presented));
  let found: T | null = null;
  for (const entry of tokens) {
    if (constantTimeEqual(hexBytes(entry.tokenHash), hash) && found === null) found = entry;
  }
  return found;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
