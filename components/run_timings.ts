/**
 * A run's time split in two: the work (receiving, processing, committing) and, for a staged run,
 * the wait for a reviewer's decision, which can be days and says nothing about how fast the
 * import is. Browser compatible.
 *
 * @module
 */
import type { Run } from "../core/runs/run.ts";

/** Seconds of work and of waiting for review; null where not known (yet). */
export interface RunTimings {
  /** Upload to staged (or to the end), plus the commit; null while the first part runs. */
  processing: number | null;
  /** Staged to the reviewer's commit or discard; null for direct imports and while waiting. */
  waiting: number | null;
  /** True while a staged run waits for its reviewer. */
  inReview: boolean;
}

/** Splits a run's time into processing and waiting for review. */
export function runTimings(
  run: Pick<Run, "status" | "createdAt" | "stagedAt" | "commitStartedAt" | "finishedAt">,
): RunTimings {
  const between = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
  const inReview = run.status === "staged";
  if (run.stagedAt === null) {
    const processing = run.finishedAt === null ? null : between(run.createdAt, run.finishedAt);
    return { processing, waiting: null, inReview };
  }
  let processing = between(run.createdAt, run.stagedAt);
  // A commit that went back to staged (a stale review) is part of the wait, not a finished commit.
  const committed = !inReview && run.commitStartedAt !== null;
  if (committed && run.finishedAt !== null) {
    processing += between(run.commitStartedAt!, run.finishedAt);
  }
  const decided = committed ? run.commitStartedAt : inReview ? null : run.finishedAt;
  return {
    processing,
    waiting: decided === null ? null : between(run.stagedAt, decided),
    inReview,
  };
}
