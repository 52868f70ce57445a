/**
 * Stage `commit`: writes a run's staged rows to its target table in one transaction, under the
 * `ingest.commit` span. A direct import commits as soon as it is staged; a staged run commits when
 * a reviewer says so (exactly what was reviewed, minus the rows left out).
 *
 * A direct import that was a first load (its rows went straight into an empty target, in the
 * transaction this commits) commits with {@linkcode commitFirstLoad}.
 *
 * Status changes are compare-and-set in the store, so of two concurrent commits (or a commit
 * racing a discard) exactly one wins and the other gets `conflict`.
 *
 * @module
 */
import { type Context, context } from "@opentelemetry/api";
import type { ResolvedUploadType } from "../config/upload_type_schema.ts";
import { isIngestError, toIngestError } from "../errors.ts";
import type { Run, RunCounts } from "../runs/run.ts";
import { markRunFailed } from "../runs/failure.ts";
import { keepRunAlive } from "../runs/heartbeat.ts";
import type { Committer, FirstLoad, RunLog, Staging } from "../ports.ts";
import { defineStageSpan, runSpanAttributes, type StageSpans, withSpan } from "../telemetry.ts";

/** Commits a staged run: `staged → committing → committed` (or back to staged when stale). */
export async function commitRun(
  store: RunLog & Committer & Pick<Staging, "clearRows">,
  type: ResolvedUploadType,
  runId: string,
  excludeRows: readonly number[] = [],
  parent: Context = context.active(),
): Promise<Run> {
  const run = await store.updateRun(runId, ["staged"], {
    status: "committing",
    commitStartedAt: true,
  });
  const stopHeartbeat = keepRunAlive(store, runId);
  try {
    return await applyCommit(store, type, run, excludeRows, parent);
  } finally {
    stopHeartbeat();
  }
}

/**
 * Writes a run that is `committing` to its target in one transaction, under an `ingest.commit`
 * span. A stale review, or one that would write nothing (`nothing_to_commit`), puts the run
 * back to `staged`; any other failure marks it `failed`,
 * with the target untouched either way.
 */
export function applyCommit(
  store: RunLog & Committer & Pick<Staging, "clearRows">,
  type: ResolvedUploadType,
  run: Run,
  excludeRows: readonly number[],
  parent: Context,
): Promise<Run> {
  return withSpan("ingest.commit", runSpanAttributes(type.name, run), parent, async (span) => {
    try {
      const committed = await store.commit(run.id, type, run.columns, excludeRows);
      // A direct import learns its counts by writing, so they come from the committed run.
      const { counts } = committed;
      span.setAttributes({
        "ingest.rows": counts.new + counts.changed + counts.deleted,
        "ingest.excluded_rows": excludeRows.length,
      });
      return committed;
    } catch (err) {
      const error = toIngestError(err);
      // Nothing was written: the run waits for review again.
      if (isIngestError(err, "stale_review") || isIngestError(err, "nothing_to_commit")) {
        await store.updateRun(run.id, ["committing"], { status: "staged" }).catch(() => {});
      } else {
        // The transaction rolled back; when the database is what failed, the run is marked
        // failed once it answers again.
        await markRunFailed(store, run.id, ["committing"], error, { keepInvalid: true });
      }
      throw error;
    }
  });
}

/** A first load's `ingest.commit` span, closed with the rows it wrote. */
export const firstLoadCommitSpan = defineStageSpan("commit", (counts: RunCounts) => ({
  "ingest.rows": counts.rows,
  "ingest.new_rows": counts.new,
}));

/**
 * Commits a first load, its transaction ending committed or rolled back, under the run's
 * `ingest.commit` span; the pipeline closes that span once the stage span has its counts.
 */
export async function commitFirstLoad(
  store: RunLog & Pick<Staging, "commitFirstLoad" | "clearRows">,
  load: FirstLoad,
  runId: string,
  spans: StageSpans,
): Promise<Run> {
  firstLoadCommitSpan.open(spans).setAttribute("ingest.first_load", true);
  try {
    return await store.commitFirstLoad(load, runId);
  } catch (err) {
    spans.abort("commit", err);
    throw err;
  }
}
