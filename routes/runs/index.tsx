import type { Handlers, PageProps } from "$fresh/server.ts";
import { isActive, type Run, RUN_STATUSES, type RunStatus } from "../../core/runs/run.ts";
import RunStatusIsland from "../../islands/RunStatus.tsx";
import { formatDuration, formatNumber, formatTime } from "../../components/format.ts";
import { runTimings } from "../../components/run_timings.ts";
import { StatusBadge } from "../../components/status_badge.tsx";
import { visibleActor } from "../../server/auth/guards.ts";
import { choice, readQuery, runCursor, text } from "../../server/query_params.ts";
import type { AppState } from "../../server/services.ts";

interface History {
  runs: Run[];
  nextCursor: string | null;
  type: string;
  status: string;
  types: Array<{ name: string; label: string }>;
}

/** The query parameters this page reads. */
export const query = { type: text(200), status: choice(RUN_STATUSES), cursor: runCursor };

/** Loads one page of run history (an uploader's own runs) with the query string's filters. */
export const handler: Handlers<History, AppState> = {
  async GET(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const q = readQuery(ctx.url, query);
    const type = q.type ?? "";
    const status: RunStatus | "" = q.status ?? "";
    const page = await store.listRuns({
      actor: visibleActor(ctx.state),
      uploadType: q.type,
      status: q.status,
      limit: 25,
      cursor: q.cursor,
    });
    return ctx.render({
      runs: page.items,
      nextCursor: page.nextCursor,
      type,
      status,
      types: uploadTypes.list().map((t) => ({ name: t.name, label: t.label })),
    });
  },
};

/** `/runs`: run history, newest first, filterable by type and status. */
export default function Runs({ data }: PageProps<History>) {
  const next = new URLSearchParams({ type: data.type, status: data.status });
  if (data.nextCursor) next.set("cursor", data.nextCursor);
  return (
    <>
      <h1>Runs</h1>
      <form class="filters" method="get">
        <label>
          Type{" "}
          <select name="type">
            <option value="">All types</option>
            {data.types.map((t) => (
              <option key={t.name} value={t.name} selected={t.name === data.type}>{t.label}</option>
            ))}
          </select>
        </label>
        <label>
          Status{" "}
          <select name="status">
            <option value="">Any status</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s} selected={s === data.status}>{s}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="secondary">Filter</button>
      </form>
      {data.runs.length === 0 ? <p class="empty-state">No runs yet.</p> : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Rows</th>
                <th scope="col">New / changed / invalid</th>
                <th scope="col">By</th>
                <th scope="col">Started</th>
                <th scope="col">Processing</th>
                <th scope="col">Waiting for review</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((run) => <RunRow key={run.id} run={run} />)}
            </tbody>
          </table>
        </div>
      )}
      {data.nextCursor && (
        <p class="actions">
          <a class="button secondary" href={`/runs?${next}`}>Older runs</a>
        </p>
      )}
    </>
  );
}

/** One run of the history; its time is split into processing and the wait for a reviewer. */
function RunRow({ run }: { run: Run }) {
  const timings = runTimings(run);
  const duration = (seconds: number | null) => seconds === null ? "—" : formatDuration(seconds);
  return (
    <tr>
      <td>
        <a href={`/runs/${run.id}`}>{run.fileName ?? "(unnamed)"}</a>
      </td>
      <td>{run.uploadType}</td>
      <td>
        <StatusBadge status={run.status} />
        {isActive(run.status) && (
          <RunStatusIsland
            runId={run.id}
            compact
            initial={{ status: run.status, ...run.progress }}
          />
        )}
      </td>
      <td class="num">{formatNumber(run.counts.rows)}</td>
      <td class="num">
        {formatNumber(run.counts.new)} / {formatNumber(run.counts.changed)} /{" "}
        {formatNumber(run.counts.invalid)}
      </td>
      <td>{run.actor ?? "—"}</td>
      <td>{formatTime(run.createdAt)}</td>
      <td class="num">{duration(timings.processing)}</td>
      <td class="num">{timings.inReview ? "in review" : duration(timings.waiting)}</td>
    </tr>
  );
}
