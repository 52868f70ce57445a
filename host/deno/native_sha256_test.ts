import type { Sha256 } from "../../core/ports.ts";
import { portableSha256 } from "../../core/stages/receive.ts";
import { nativeSha256 } from "./native_sha256.ts";

function digest(make: () => Sha256, chunks: Uint8Array[]): string {
  const hasher = make();
  for (const chunk of chunks) hasher.update(chunk);
  return hasher.hex();
}

Deno.test("nativeSha256 gives the standard digest, across chunk boundaries", () => {
  const abc = new TextEncoder().encode("abc");
  const expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  if (digest(nativeSha256, [abc]) !== expected) throw new Error("wrong digest of abc");
  if (digest(nativeSha256, [abc.subarray(0, 1), abc.subarray(1)]) !== expected) {
    throw new Error("chunking changed the digest");
  }
});

Deno.test("nativeSha256 agrees with the portable hasher on a large, oddly chunked input", () => {
  const data = new Uint8Array(1_000_003).map((_, i) => (i * 31 + (i >> 7)) & 0xff);
  const chunks: Uint8Array[] = [];
  for (let at = 0, size = 1; at < data.length; at += size, size = (size * 7) % 65_537 + 1) {
    chunks.push(data.subarray(at, at + size));
  }
  const native = digest(nativeSha256, chunks);
  const portable = digest(portableSha256, [data]);
  if (native !== portable) throw new Error(`native ${native} != portable ${portable}`);
});
