/**
 * The runtime's native SHA-256 for core's `receive` stage: Deno's `node:crypto` hashes in Rust
 * with the CPU's SHA instructions. Measured on an 89 MB file in 64 KiB chunks: 50 ms against
 * 420–500 ms for the portable `@noble/hashes`, 0.4 s of main-thread time per million rows.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Sha256 } from "../../core/ports.ts";

/** Makes a native incremental {@linkcode Sha256}. */
export function nativeSha256(): Sha256 {
  const hash = createHash("sha256");
  return {
    update: (bytes) => void hash.update(bytes),
    hex: () => hash.digest("hex"),
  };
}
