/**
 * The sentence that tells a reviewer what a commit will do, shared by the review page and its
 * confirmation dialog. Browser compatible.
 *
 * @module
 */
import type { RunCounts } from "../core/runs/run.ts";
import type { ExcludedCounts } from "../core/ports.ts";
import { formatNumber } from "./format.ts";

export type { ExcludedCounts };

/** The run counts the summary reads. */
export type CommitCounts = Omit<RunCounts, "rows">;

/** "3 new and 2 changed rows will be written; 1 excluded, 4 unchanged and 2 invalid skipped." */
export function describeCommit(counts: CommitCounts, excluded: ExcludedCounts): string {
  const write = [
    `${formatNumber(counts.new - excluded.new)} new`,
    `${formatNumber(counts.changed - excluded.changed)} changed`,
  ];
  if (counts.deleted > 0) write.push(`${formatNumber(counts.deleted - excluded.deleted)} deleted`);
  const skip = [];
  const excludedTotal = excluded.new + excluded.changed + excluded.deleted;
  if (excludedTotal > 0) skip.push(`${formatNumber(excludedTotal)} excluded`);
  if (counts.unchanged > 0) skip.push(`${formatNumber(counts.unchanged)} unchanged`);
  if (counts.invalid > 0) skip.push(`${formatNumber(counts.invalid)} invalid`);
  return `Commit will apply ${list(write)} rows` +
    (skip.length ? `; ${list(skip)} will be skipped.` : ".");
}

function list(parts: string[]): string {
  return parts.length < 2 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}
