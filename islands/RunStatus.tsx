import { useEffect, useState } from "preact/hooks";

interface Progress {
  status: string;
  bytes: number;
  rows: number;
}

/**
 * Live progress of a run that is still receiving or processing: follows
 * `GET /api/v1/runs/{id}/events` (falling back to polling the run), then reloads the page
 * once the run is staged, committed or failed so the server renders the outcome.
 */
export default function RunStatus(props: { runId: string; initial: Progress }) {
  const [progress, setProgress] = useState(props.initial);
  useEffect(() => {
    const url = `/api/v1/runs/${props.runId}`;
    const settled = (status: string) => !["receiving", "processing", "committing"].includes(status);
    const apply = (run: { status: string; progress: { bytes: number; rows: number } }) => {
      setProgress({ status: run.status, ...run.progress });
      if (settled(run.status)) location.reload();
    };
    let poll: ReturnType<typeof setInterval> | undefined;
    const events = new EventSource(`${url}/events`);
    events.addEventListener("run", (e) => apply(JSON.parse((e as MessageEvent).data)));
    events.onerror = () => {
      events.close();
      poll ??= setInterval(async () => {
        const res = await fetch(url).catch(() => null);
        if (res?.ok) apply(await res.json());
      }, 1000);
    };
    return () => {
      events.close();
      clearInterval(poll);
    };
  }, [props.runId]);
  return (
    <p class="panel" aria-live="polite">
      {progress.status === "committing" ? "Committing" : "Processing"}:{" "}
      {progress.rows.toLocaleString("en")} rows, {progress.bytes.toLocaleString("en")} bytes so far…
    </p>
  );
}
