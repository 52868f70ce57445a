import type { Handlers, PageProps } from "$fresh/server.ts";
import { isActive, type Run } from "../../../core/runs.ts";
import { Counts } from "../../../components/counts.tsx";
import { formatElapsed, formatTime } from "../../../components/format.ts";
import { RunErrorPanel } from "../../../components/run_error.tsx";
import { StatusBadge } from "../../../components/status_badge.tsx";
import { TraceLink } from "../../../components/trace_link.tsx";
import RunStatus from "../../../islands/RunStatus.tsx";
import { requireVisibleRun } from "../../../server/auth/guards.ts";
import { can } from "../../../server/auth/principal.ts";
import type { AppState } from "../../../server/services.ts";

/** Loads the run (the 404 page for an unknown id, or a run the user may not see). */
export const handler: Handlers<Run, AppState> = {
  async GET(_req, ctx) {
    return ctx.render(await requireVisibleRun(ctx.state, ctx.params.id));
  },
};

/** `/runs/[id]`: status, progress, counts, timings and the error of one run. */
export default function RunPage({ data: run, state }: PageProps<Run, AppState>) {
  const active = isActive(run.status);
  return (
    <>
      {/* Without JavaScript the page refreshes itself until the run settles. */}
      {active && (
        <noscript>
          <meta http-equiv="refresh" content="2" />
        </noscript>
      )}
      <p class="breadcrumb">
        <a href="/runs">Runs</a> / {run.fileName ?? run.id}
      </p>
      <h1>
        {run.fileName ?? "Upload"} <StatusBadge status={run.status} />
      </h1>
      <p class="muted">
        {run.uploadType} · {run.mode === "staged" ? "staged for review" : "direct import"} ·{" "}
        {run.fileBytes.toLocaleString("en")} bytes
      </p>
      {active && (
        <RunStatus
          runId={run.id}
          initial={{ status: run.status, bytes: run.progress.bytes, rows: run.progress.rows }}
        />
      )}
      <Counts counts={run.counts} />
      {run.error && <RunErrorPanel error={run.error} />}
      <p class="actions">
        {run.status === "staged" && <a class="button" href={`/runs/${run.id}/review`}>Review</a>}
        {run.counts.invalid > 0 && (
          <a href={`/api/v1/runs/${run.id}/errors.csv`}>Download the error report</a>
        )}
        {state.principal && can(state.principal, "upload") && (
          <a href={`/upload/${run.uploadType}`}>Upload another file</a>
        )}
      </p>
      <dl class="facts">
        <dt>Run id</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        <dt>Staged</dt>
        <dd>
          {formatTime(run.stagedAt)}
          {run.stagedAt && ` (after ${formatElapsed(run.createdAt, run.stagedAt)})`}
        </dd>
        <dt>Finished</dt>
        <dd>
          {formatTime(run.finishedAt)}
          {run.finishedAt && ` (${formatElapsed(run.createdAt, run.finishedAt)} in all)`}
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code class="wrap">{run.sha256 ?? "—"}</code>
        </dd>
        <dt>Trace</dt>
        <dd>
          <TraceLink traceId={run.traceId} template={state.services.settings.traceUrlTemplate} />
        </dd>
        {run.ignoredColumns.length > 0 && (
          <>
            <dt>Ignored columns</dt>
            <dd>{run.ignoredColumns.join(", ")}</dd>
          </>
        )}
      </dl>
    </>
  );
}
