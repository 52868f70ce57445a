/**
 * Password hashes for the users file: scrypt (RFC 7914, from `@noble/hashes`) with a random salt,
 * stored as a PHC-style string that carries its own cost, so the cost can be raised for new
 * hashes without breaking old ones:
 *
 *     $scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>
 *
 * `ln=15` (N = 32768, 32 MiB, r = 8, p = 1) takes about half a second in this runtime.
 *
 * @example Hash and verify
 * ```ts
 * import { hashPassword, verifyPassword } from "./password_hash.ts";
 * const hash = await hashPassword("correct horse", { logN: 10 });
 * if (!await verifyPassword("correct horse", hash)) throw new Error("unexpected");
 * if (await verifyPassword("wrong horse", hash)) throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { constantTimeEqual } from "./constant_time_equal.ts";

/** scrypt's cost: N = 2^logN, block size r, parallelism p. */
export interface ScryptCost {
  logN: number;
  r: number;
  p: number;
}

/** The cost of new hashes. */
export const DEFAULT_COST: ScryptCost = Object.freeze({ logN: 15, r: 8, p: 1 });

const FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** Hashes `password` with a new random salt. */
export async function hashPassword(
  password: string,
  cost: Partial<ScryptCost> = {},
): Promise<string> {
  const { logN, r, p } = checkCost({ ...DEFAULT_COST, ...cost });
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const key = await scryptAsync(password, salt, { N: 2 ** logN, r, p, dkLen: KEY_BYTES });
  return `$scrypt$ln=${logN},r=${r},p=${p}$${base64(salt)}$${base64(key)}`;
}

/** Returns true when `password` matches `hash`; false for a wrong password or a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (!parsed) return false;
  const { cost, salt, key } = parsed;
  const derived = await scryptAsync(password, salt, {
    N: 2 ** cost.logN,
    r: cost.r,
    p: cost.p,
    dkLen: key.byteLength,
  });
  return constantTimeEqual(derived, key);
}

/** Splits a stored hash into its cost, salt and key; null when it is not one of ours. */
export function parsePasswordHash(
  hash: string,
): { cost: ScryptCost; salt: Uint8Array; key: Uint8Array } | null {
  const match = FORMAT.exec(hash);
  if (!match) return null;
  const cost = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  try {
    checkCost(cost);
    const salt = unbase64(match[4]);
    const key = unbase64(match[5]);
    return salt.byteLength >= 8 && key.byteLength >= 16 ? { cost, salt, key } : null;
  } catch {
    return null;
  }
}

// Bounds keep a hand-edited hash from asking for gigabytes of memory on every sign-in.
function checkCost(cost: ScryptCost): ScryptCost {
  const ok = Number.isInteger(cost.logN) && cost.logN >= 10 && cost.logN <= 20 &&
    Number.isInteger(cost.r) && cost.r >= 1 && cost.r <= 32 &&
    Number.isInteger(cost.p) && cost.p >= 1 && cost.p <= 16;
  if (!ok) {
    throw new RangeError(
      `Invalid scrypt cost ln=${cost.logN},r=${cost.r},p=${cost.p}: use ln 10–20, r 1–32, p 1–16`,
    );
  }
  return cost;
}

function base64(bytes: Uint8Array): string {
  return bytes.toBase64({ omitPadding: true });
}

function unbase64(text: string): Uint8Array {
  return Uint8Array.fromBase64(text);
}
