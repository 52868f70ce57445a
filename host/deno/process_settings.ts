/**
 * The process settings `deno task start` and `deno task ingest` run with (`deno.json`), for the
 * tests and benchmarks that start those processes themselves. `deno.json` cannot import them;
 * `process_settings_test.ts` checks that its tasks say the same. Why each setting: the "Process
 * settings" section of docs/operations.md.
 *
 * @module
 */

/** V8's heap: old generation capped, young generation held at 8 MB. */
export const V8_HEAP_FLAGS: readonly string[] = [
  "--max-old-space-size=256",
  "--min-semi-space-size=8",
  "--max-semi-space-size=8",
];

/** `--v8-flags=…` of the heap flags, after `extra` ones (such as `--expose-gc`). */
export function v8FlagsArg(extra: readonly string[] = []): string {
  return `--v8-flags=${[...extra, ...V8_HEAP_FLAGS].join(",")}`;
}

/** The allocator's environment: glibc's mmap threshold fixed at 128 KiB. */
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: "131072" };
