/**
 * Follows a run from the browser until it settles: Server-Sent Events from
 * `GET /api/v1/runs/{id}/events`, falling back to polling `GET /api/v1/runs/{id}` when the event
 * stream cannot be opened or drops (some proxies buffer or cut long responses).
 *
 * Browser-only (EventSource, fetch); shared by the RunStatus and UploadProgress islands.
 *
 * @example
 * ```ts ignore
 * const stop = followRun(runId, (run) => console.log(run.status, run.progress.rows));
 * // later: stop();
 * ```
 *
 * @module
 */

/** The part of a run record the islands read. */
export interface RunSnapshot {
  id: string;
  status: string;
  progress: { bytes: number; rows: number };
  counts: { rows: number; new: number; changed: number; unchanged: number; invalid: number };
  error: { type: string; message: string } | null;
}

/** Statuses in which a run is still moving on its own. */
const ACTIVE = new Set(["queued", "receiving", "processing", "committing"]);
const POLL_MS = 1000;

/** Returns true when the run will not change again without someone acting on it. */
export function isSettled(status: string): boolean {
  return !ACTIVE.has(status);
}

/** Calls `onRun` with every new state of the run until it settles; returns a stop function. */
export function followRun(runId: string, onRun: (run: RunSnapshot) => void): () => void {
  const url = `/api/v1/runs/${encodeURIComponent(runId)}`;
  let stopped = false;
  let poll: ReturnType<typeof setTimeout> | undefined;
  const deliver = (run: RunSnapshot) => {
    if (stopped) return;
    onRun(run);
    if (isSettled(run.status)) stop();
  };
  const pollOnce = async () => {
    const res = await fetch(url, { headers: { accept: "application/json" } }).catch(() => null);
    if (res?.ok) deliver(await res.json());
    if (!stopped) poll = setTimeout(pollOnce, POLL_MS);
  };
  const events = new EventSource(`${url}/events`);
  events.addEventListener("run", (e) => deliver(JSON.parse((e as MessageEvent).data)));
  events.onerror = () => {
    // The stream also ends normally once the run is staged or final; polling then reads the
    // settled run once and stops.
    events.close();
    if (!stopped && poll === undefined) pollOnce();
  };
  function stop() {
    stopped = true;
    events.close();
    clearTimeout(poll);
  }
  return stop;
}
