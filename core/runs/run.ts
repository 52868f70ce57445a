/**
 * The run: one upload's id, status and audit record, and the rules of its lifecycle.
 *
 * ```
 * (queued →) receiving → processing → staged → committing → committed → reverted
 *                            │           │         │
 *                            │           └→ discarded   └→ staged (stale review) / failed
 *                            └→ committing (direct mode) / failed
 * ```
 *
 * An admin may revert a committed run (its undo log restores what the commit changed); a
 * reverted run never changes again.
 *
 * A run starts `queued` when its upload is stored for the background worker. A queued run whose
 * worker died before it committed goes back from `receiving` or `processing` to `queued` to be
 * retried from the stored upload.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError, type IngestErrorType } from "../errors.ts";
import type { RunMapping } from "../saved_mapping.ts";
import type { Suggestion } from "../suggestions.ts";

/** Where a run is in its lifecycle. */
export type RunStatus =
  | "queued"
  | "receiving"
  | "processing"
  | "staged"
  | "committing"
  | "committed"
  | "reverted"
  | "discarded"
  | "failed";

/** Direct import (stage and commit in one go) or staged for review. */
export type RunMode = "direct" | "staged";

/** How a staged row relates to the target table. */
export type RowAction = "new" | "changed" | "unchanged" | "invalid" | "deleted";

/** Every row action, in the order the review shows them. */
export const ROW_ACTIONS: readonly RowAction[] = [
  "new",
  "changed",
  "unchanged",
  "invalid",
  "deleted",
];

/**
 * Row counts of a run; `rows` counts every data row of the file, invalid ones included. `new`,
 * `changed` and `deleted` count the rows the commit writes (a committed run: the rows it
 * wrote); the ones a reviewer left out count as `excluded` instead.
 */
export interface RunCounts {
  rows: number;
  new: number;
  changed: number;
  unchanged: number;
  invalid: number;
  deleted: number;
  excluded: number;
}

/** The error a failed run keeps, in the API's wire shape. */
export interface RunError {
  type: IngestErrorType;
  message: string;
  details: Record<string, unknown>;
}

/** A run as the API returns it. */
export interface Run {
  id: string;
  uploadType: string;
  mode: RunMode;
  status: RunStatus;
  fileName: string | null;
  contentType: string | null;
  /** Bytes received (of the whole file when `fileComplete`). */
  fileBytes: number;
  /** SHA-256 of the bytes received. */
  sha256: string | null;
  /**
   * True when the whole upload was received, false when only its first `fileBytes` arrived
   * (the size limit or a lost client stopped it); null before the upload was read.
   */
  fileComplete: boolean | null;
  /** The file's header row as it was. */
  headers: string[];
  /** Config columns present in the file, in file order: only these are compared and written. */
  columns: string[];
  /** File headers that matched no column and were ignored. */
  ignoredColumns: string[];
  /** Which config column each file column fed and why; null before the header was read. */
  mapping: RunMapping | null;
  /** What the failing values suggest (`core/suggestions.ts`), found at the end of validation. */
  suggestions: Suggestion[];
  counts: RunCounts;
  progress: { bytes: number; rows: number };
  error: RunError | null;
  actor: string | null;
  traceId: string | null;
  createdAt: string;
  startedAt: string | null;
  stagedAt: string | null;
  /**
   * When a reviewer's commit of the staged run began (its last attempt): the end of the wait for
   * review. Null for direct imports and runs not committed from review.
   */
  commitStartedAt: string | null;
  finishedAt: string | null;
  /** When the run was reverted, and by whom (null without authentication). */
  revertedAt: string | null;
  revertedBy: string | null;
  /**
   * When the retention setting dropped the rows of this committed run (its applied rows, diffs
   * and exclusions; invalid rows stay for the error report); null while they are kept.
   */
  rowsPurgedAt: string | null;
}

/** Every status, in lifecycle order. */
export const RUN_STATUSES: readonly RunStatus[] = [
  "queued",
  "receiving",
  "processing",
  "staged",
  "committing",
  "committed",
  "reverted",
  "discarded",
  "failed",
];

/**
 * Statuses where a run's processing is over. Only a revert (by an admin, not the pipeline) moves
 * a committed run on, to `reverted`.
 */
export const FINAL_STATUSES: readonly RunStatus[] = [
  "committed",
  "reverted",
  "discarded",
  "failed",
];

const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  queued: ["receiving", "failed"],
  receiving: ["processing", "queued", "failed"],
  processing: ["staged", "committing", "queued", "failed"],
  staged: ["committing", "discarded", "processing", "failed"],
  committing: ["committed", "staged", "failed"],
  committed: ["reverted"],
  reverted: [],
  discarded: [],
  failed: [],
};

/** The statuses a run may move to from `from` (empty for final statuses). */
export function nextStatuses(from: RunStatus): readonly RunStatus[] {
  return TRANSITIONS[from];
}

/** Returns true when a run in status `from` may move to `to`. */
export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Returns true while a run moves on its own (not yet staged, committed, discarded or failed). */
export function isActive(status: RunStatus): boolean {
  return !isFinal(status) && status !== "staged";
}

/** Returns true when the run's processing is over (committed, reverted, discarded or failed). */
export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Throws `conflict` unless a run in status `from` may move to `to`. */
export function assertTransition(run: Pick<Run, "id" | "status">, to: RunStatus): void {
  if (canTransition(run.status, to)) return;
  throw new IngestError(
    "conflict",
    `Cannot move run "${run.id}" from ${run.status} to ${to}`,
    { runId: run.id, status: run.status, requested: to },
  );
}

/** Zero counts, for a run that has not read any row yet. */
export function emptyCounts(): RunCounts {
  return { rows: 0, new: 0, changed: 0, unchanged: 0, invalid: 0, deleted: 0, excluded: 0 };
}
