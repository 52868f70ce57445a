import type { Handlers, PageProps } from "$fresh/server.ts";
import { IngestError, toIngestError } from "../../../core/errors.ts";
import { revertRun } from "../../../core/runs/revert.ts";
import { isActive, type Run, type RunError } from "../../../core/runs/run.ts";
import { Counts } from "../../../components/counts.tsx";
import {
  formatDuration,
  formatElapsed,
  formatNumber,
  formatTime,
} from "../../../components/format.ts";
import { runTimings } from "../../../components/run_timings.ts";
import { MappingUsed } from "../../../components/mapping_used.tsx";
import { RunErrorPanel } from "../../../components/run_error.tsx";
import { StatusBadge } from "../../../components/status_badge.tsx";
import { CsrfField } from "../../../components/csrf_field.tsx";
import { TraceLink } from "../../../components/trace_link.tsx";
import RevertAction from "../../../islands/RevertAction.tsx";
import RunStatus from "../../../islands/RunStatus.tsx";
import { requirePermission, requireVisibleRun } from "../../../server/auth/guards.ts";
import { can } from "../../../server/auth/principal.ts";
import { STATUS_OF } from "../../../server/http_errors.ts";
import { readFormBody } from "../../../server/form_body.ts";
import type { AppState } from "../../../server/services.ts";

interface RunView {
  run: Run;
  /** How many cells reviewers fixed in place. */
  edits: number;
  /** Why the last action on the page (a revert) was refused. */
  actionError?: RunError;
}

/**
 * Loads the run (the 404 page for an unknown id, or a run the user may not see); POST with
 * `intent=revert` reverts a committed run (admins).
 */
export const handler: Handlers<RunView, AppState> = {
  async GET(_req, ctx) {
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    return ctx.render({ run, edits: await ctx.state.services.store.countEdits(run.id) });
  },
  async POST(req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    const form = await readFormBody(req);
    try {
      if (form.get("intent") !== "revert") {
        throw new IngestError("bad_request", "Unknown action: the form asks for intent=revert");
      }
      const principal = requirePermission(ctx.state, "revert");
      await revertRun(store, uploadTypes.get(run.uploadType), run.id, principal.name);
      return new Response(null, { status: 303, headers: { location: `/runs/${run.id}` } });
    } catch (err) {
      const actionError = toIngestError(err).toJSON();
      const current = await requireVisibleRun(ctx.state, run.id);
      const edits = await store.countEdits(run.id);
      return ctx.render({ run: current, edits, actionError }, {
        status: STATUS_OF[actionError.type],
      });
    }
  },
};

/** `/runs/[id]`: status, progress, counts, timings and the error of one run. */
export default function RunPage({ data, state }: PageProps<RunView, AppState>) {
  const { run, edits, actionError } = data;
  const active = isActive(run.status);
  const timings = runTimings(run);
  const canRevert = run.status === "committed" && state.principal !== null &&
    can(state.principal, "revert");
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
        {formatNumber(run.fileBytes)} bytes
      </p>
      {active && (
        <RunStatus
          runId={run.id}
          initial={{ status: run.status, bytes: run.progress.bytes, rows: run.progress.rows }}
        />
      )}
      <Counts counts={run.counts} />
      {edits > 0 && (
        <p class="muted">
          {formatNumber(edits)} {edits === 1 ? "cell" : "cells"} edited in review{" "}
          (<a href={`/api/v1/runs/${run.id}/edits`}>the edits</a>)
        </p>
      )}
      {run.error && <RunErrorPanel error={run.error} />}
      {actionError && <RunErrorPanel error={actionError} />}
      {/* A div, not a <p>: the revert island holds a <dialog>, which would end a <p>. */}
      <div class="actions">
        {run.status === "staged" && <a class="button" href={`/runs/${run.id}/review`}>Review</a>}
        {keptRows(run) && <a href={`/runs/${run.id}/review`}>The rows it applied</a>}
        {run.counts.invalid > 0 && (
          <a href={`/api/v1/runs/${run.id}/errors.csv`}>Download the error report</a>
        )}
        {state.principal && can(state.principal, "upload") && (
          <a href={`/upload/${run.uploadType}`}>Upload another file</a>
        )}
        {canRevert && <RevertAction formId="revert" counts={run.counts} />}
      </div>
      {canRevert && (
        <form method="post" id="revert">
          <CsrfField token={state.principal?.csrfToken ?? null} />
        </form>
      )}
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
        {timings.processing !== null && run.stagedAt && (
          <>
            {/* "In all" counts the hours a run may sit in review: the two apart. */}
            <dt>Processing</dt>
            <dd>{formatDuration(timings.processing)}</dd>
            <dt>Waiting for review</dt>
            <dd>
              {timings.inReview
                ? "in review"
                : timings.waiting === null
                ? "—"
                : formatDuration(timings.waiting)}
            </dd>
          </>
        )}
        {run.revertedAt && (
          <>
            <dt>Reverted</dt>
            <dd>
              {formatTime(run.revertedAt)}
              {run.revertedBy && ` by ${run.revertedBy}`}
            </dd>
          </>
        )}
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
      {run.mapping && <MappingUsed mapping={run.mapping} />}
    </>
  );
}

/** A reviewed run, committed (or reverted since), whose rows are still kept. */
function keptRows(run: { mode: string; status: string; rowsPurgedAt: string | null }): boolean {
  return run.mode === "staged" && (run.status === "committed" || run.status === "reverted") &&
    run.rowsPurgedAt === null;
}
