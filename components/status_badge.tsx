import type { RunStatus } from "../core/runs/run.ts";

const LABELS: Record<RunStatus, string> = {
  queued: "Queued",
  receiving: "Receiving",
  processing: "Processing",
  staged: "Ready for review",
  committing: "Committing",
  committed: "Imported",
  reverted: "Reverted",
  discarded: "Discarded",
  failed: "Failed",
};

/** A run status as a coloured badge with words (colour is never the only signal). */
export function StatusBadge({ status }: { status: RunStatus }) {
  return <span class={`badge badge-${status}`}>{LABELS[status]}</span>;
}
