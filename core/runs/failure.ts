/**
 * Recording that a run failed, even when the database is what failed: the run must not stay
 * `processing` or `committing` forever because the one write that would have said so could not
 * reach the server. While the database is unreachable the record is retried in the background
 * (with backoff, at most every few seconds) until it is written, until the run turns out to have
 * moved on (the status change is compare-and-set), or until the store is closed.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { type IngestError, isIngestError } from "../errors.ts";
import type { Run, RunStatus } from "./run.ts";
import type { RunLog, RunPatch, Staging } from "../ports.ts";

/** What {@linkcode markRunFailed} does with the run's staged rows. */
export interface MarkFailedOptions {
  /** Keep the invalid rows, for `errors.csv`. @default false */
  keepInvalid?: boolean;
  /** More of the run to record with the failure (what was received of the upload). */
  patch?: RunPatch;
  /** First retry delay in milliseconds; doubles up to `maxDelayMs`. @default 250 */
  firstDelayMs?: number;
  /** Longest pause between retries. @default 5000 */
  maxDelayMs?: number;
}

/**
 * Moves a run from one of `from` to `failed` with `error`, then drops its staged rows (all, or
 * all but the invalid ones). When the database cannot be reached, retries in the background and
 * resolves false at once; resolves true once recorded, or when the run is no longer in `from`
 * (someone else settled it). Never rejects.
 *
 * @example Fail a run whose commit lost the database
 * ```ts ignore
 * await markRunFailed(store, run.id, ["committing"], error, { keepInvalid: true });
 * ```
 */
export async function markRunFailed(
  store: RunLog & Pick<Staging, "clearRows">,
  runId: string,
  from: readonly RunStatus[],
  error: IngestError,
  options: MarkFailedOptions = {},
): Promise<boolean> {
  let marked = false;
  // True when there is nothing left to do.
  const attempt = async (): Promise<boolean> => {
    try {
      if (!marked) {
        await store.updateRun(runId, from, {
          ...options.patch,
          status: "failed",
          error: error.toJSON(),
          finishedAt: true,
        });
        marked = true;
      }
      await store.clearRows(runId, options.keepInvalid ?? false);
      return true;
    } catch (err) {
      // Anything but a lost connection is final: a conflict means the run moved on (and its
      // rows are no longer ours to drop), a closed store that the process is stopping.
      return !isIngestError(err, "database_unavailable");
    }
  };

  if (await attempt()) return true;
  let delay = options.firstDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const retry = () =>
    setTimeout(async () => {
      if (await attempt()) return;
      delay = Math.min(delay * 2, maxDelay);
      retry();
    }, delay);
  retry();
  return false;
}

/** The run as a failed run, for answering when the database cannot say so yet. */
export function asFailed(run: Run, error: IngestError): Run {
  return { ...run, status: "failed", error: error.toJSON(), finishedAt: new Date().toISOString() };
}
