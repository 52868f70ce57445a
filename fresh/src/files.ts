/**
 * Small file helpers shared by the manifest generator, static files and the bundle snapshot.
 *
 * @module
 */
import { join } from "node:path";

/**
 * Lists the regular files under `dir`, recursively; a missing folder lists nothing. Symlinks are
 * skipped, so nothing outside `dir` is reached.
 */
export async function listFiles(dir: string): Promise<string[]> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await listFiles(path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}

/** Hex digest of `bytes` (`SHA-1` for ETags, `SHA-256` for bundle hashes). */
export async function hexDigest(
  algorithm: "SHA-1" | "SHA-256",
  bytes: Uint8Array,
): Promise<string> {
  const digest = await crypto.subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Fresh 1.x `stringToIdentifier`: runs of non-identifier characters become one `_`. */
export function toIdentifier(text: string): string {
  const ident = text.replace(/[^A-Za-z0-9_$]+/g, "_");
  return /^[0-9]/.test(ident) ? "_" + ident : ident;
}
