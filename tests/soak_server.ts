/**
 * Intake's real server (`main.ts`) for tests/soak_test.ts, plus one hook: on SIGUSR2 it runs a
 * full garbage collection and prints a line `soak-memory {"rss": …, "heapUsed": …}` (bytes), so
 * the test compares like with like rather than whatever garbage happens to be waiting.
 *
 * Usage: deno run -A --v8-flags=--expose-gc tests/soak_server.ts (settings from the environment)
 *
 * @module
 */

/** Starts the memory line; the server prints other lines on stdout too. */
export const MARK = "soak-memory";

if (import.meta.main) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("Run with --v8-flags=--expose-gc");
  Deno.addSignalListener("SIGUSR2", () => {
    // Twice: the first pass can leave finalizers whose garbage only the second frees.
    gc();
    gc();
    // The COPY worker (db/copy_worker.ts) collects on the same signal, on its own thread.
    setTimeout(() => {
      const { rss, heapUsed } = Deno.memoryUsage();
      console.log(`${MARK} ${JSON.stringify({ rss, heapUsed })}`);
    }, 300);
  });
  await import("../main.ts");
}
