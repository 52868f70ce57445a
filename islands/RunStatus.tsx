import { useEffect, useState } from "preact/hooks";
import { followRun, isSettled } from "../components/follow_run.ts";
import { formatNumber } from "../components/format.ts";

interface Progress {
  status: string;
  bytes: number;
  rows: number;
}

/**
 * Live progress of a run that is still queued, receiving or processing (see `followRun`), then a reload
 * once the run is staged, committed or failed so the server renders the outcome. `compact` is
 * the one-line form for a row of the history table.
 */
export default function RunStatus(
  props: { runId: string; initial: Progress; compact?: boolean },
) {
  const [progress, setProgress] = useState(props.initial);
  useEffect(() =>
    followRun(props.runId, (run) => {
      setProgress({ status: run.status, ...run.progress });
      if (isSettled(run.status)) location.reload();
    }), [props.runId]);
  const rows = formatNumber(progress.rows);
  if (props.compact) {
    return <span class="muted small live-rows" aria-live="polite">{rows} rows</span>;
  }
  return (
    <p class="panel" aria-live="polite">
      {progress.status === "queued"
        ? "Waiting for a worker…"
        : `${progress.status === "committing" ? "Committing" : "Processing"}: ${rows} rows, ${
          formatNumber(progress.bytes)
        } bytes so far…`}
    </p>
  );
}
