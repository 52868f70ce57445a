/**
 * Waiting for something that happens in the background (a worker, another process) without a
 * timed assertion: look again and again until it holds or a generous deadline passes.
 *
 * @module
 */

/**
 * Calls `look` every `everyMs` until it returns something other than `undefined`, and returns
 * that; throws naming `what` (and the last value seen, from `describe`) after `timeoutMs`. With
 * `retryErrors`, a `look` that throws (the database or server is restarting) is asked again, and
 * the last error is named on timeout.
 *
 * @example
 * ```ts
 * import { pollUntil } from "./poll.ts";
 *
 * // Something a background task finishes: here a timer, in the tests a worker or a process.
 * let status = "processing";
 * setTimeout(() => status = "staged", 20);
 * const seen = await pollUntil("the run to be staged", () => {
 *   return status === "staged" ? status : undefined;
 * });
 * if (seen !== "staged") throw new Error(seen);
 * ```
 */
export async function pollUntil<T>(
  what: string,
  look: () => Promise<T | undefined> | T | undefined,
  options: {
    timeoutMs?: number;
    everyMs?: number;
    describe?: () => Promise<unknown>;
    retryErrors?: boolean;
  } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError: unknown;
  while (true) {
    try {
      const value = await look();
      if (value !== undefined) return value;
    } catch (err) {
      if (!options.retryErrors) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const seen = options.describe
        ? `; last seen: ${JSON.stringify(await options.describe())}`
        : "";
      const error = lastError === undefined ? "" : `; last error: ${lastError}`;
      throw new Error(`Timed out waiting for ${what}${seen}${error}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 50));
  }
}
