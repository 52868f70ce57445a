/**
 * Byte comparison whose time does not depend on where the inputs differ, for secrets and their
 * hashes.
 *
 * @module
 */

/** Returns true when `a` and `b` hold the same bytes, looking at every byte either way. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths are not secret here (hashes of a fixed size), so an early answer on them is fine.
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
