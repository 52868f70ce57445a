/**
 * The heartbeat of a run being worked on: while a step runs (the pipeline, a commit, a refresh)
 * the run's `updated_at` is touched every few seconds, even while one long SQL statement holds
 * the step up. A run that is active but has not been touched for several beats belongs to a
 * process that died; the server's sweeper marks it `interrupted` (see `host/deno/jobs/`).
 *
 * This module is browser compatible.
 *
 * @module
 */
import type { RunLog } from "../ports.ts";

/** How often a run being worked on marks itself alive. */
export const RUN_HEARTBEAT_MS = 10_000;

/**
 * Touches the run every `everyMs` until the returned function is called. A beat that fails is
 * skipped (the next one tries again); a beat never overlaps the previous one.
 *
 * @example
 * ```ts ignore
 * const stop = keepRunAlive(store, run.id);
 * try {
 *   await longStep();
 * } finally {
 *   stop();
 * }
 * ```
 */
export function keepRunAlive(
  store: Pick<RunLog, "touchRun">,
  runId: string,
  everyMs: number = RUN_HEARTBEAT_MS,
): () => void {
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    store.touchRun(runId).catch(() => {}).finally(() => beating = false);
  }, everyMs);
  return () => clearInterval(timer);
}
