/**
 * Waiting with a bound, for the steps of a shutdown: each waits at most its grace period, and
 * whatever it waited for goes on or is abandoned.
 *
 * @module
 */

/**
 * True once `work` fulfils, false when `ms` passes first (`ms` undefined: no bound); a rejection
 * of `work` rejects.
 *
 * @example
 * ```ts
 * import { within } from "./within.ts";
 * const never = new Promise(() => {});
 * if (await within(never, 10)) throw new Error("expected the bound to pass first");
 * if (!(await within(Promise.resolve(), 10))) throw new Error("expected the work to finish");
 * ```
 */
export async function within(work: Promise<unknown>, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) {
    await work;
    return true;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work.then(() => true),
      new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
