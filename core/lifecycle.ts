/**
 * What a reviewer does with a staged run: commit (exactly what was reviewed, minus exclusions),
 * discard, or refresh the classification against the target as it is now; and what an admin
 * does with a committed one: revert it.
 *
 * Status changes are compare-and-set in the store, so of two concurrent commits (or a commit
 * racing a discard) exactly one wins and the other gets `conflict`.
 *
 * @module
 */
import { type Context, context } from "@opentelemetry/api";
import type { ResolvedUploadType } from "./config/upload_type_schema.ts";
import { IngestError, isIngestError, toIngestError } from "./errors.ts";
import type { Run } from "./runs.ts";
import { markRunFailed } from "./run_failure.ts";
import { keepRunAlive } from "./run_heartbeat.ts";
import type { ExcludedCounts, Store } from "./store.ts";
import { withSpan } from "./telemetry.ts";

function attributes(type: ResolvedUploadType, run: Run) {
  return {
    "ingest.upload_type": type.name,
    "ingest.run_id": run.id,
    "ingest.mode": run.mode,
  };
}

/** Returns the run or throws `not_found`. */
export async function requireRun(store: Store, id: string): Promise<Run> {
  const run = await store.getRun(id);
  if (!run) throw new IngestError("not_found", `No run with id "${id}"`, { runId: id });
  return run;
}

/** Commits a staged run: `staged → committing → committed` (or back to staged when stale). */
export async function commitRun(
  store: Store,
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
  store: Store,
  type: ResolvedUploadType,
  run: Run,
  excludeRows: readonly number[],
  parent: Context,
): Promise<Run> {
  return withSpan("ingest.commit", attributes(type, run), parent, async (span) => {
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

/** Discards a staged run; its invalid rows stay for the error report. */
export async function discardRun(
  store: Store,
  type: ResolvedUploadType,
  runId: string,
  parent: Context = context.active(),
): Promise<Run> {
  const run = await requireRun(store, runId);
  return await withSpan("ingest.discard", attributes(type, run), parent, async () => {
    const discarded = await store.updateRun(runId, ["staged"], {
      status: "discarded",
      finishedAt: true,
    });
    await store.clearRows(runId, true);
    return discarded;
  });
}

/**
 * Saves a reviewer's choice to leave rows out of (or back in) the commit; the run must be staged.
 * Returns the run's excluded counts afterwards.
 */
export async function setExcluded(
  store: Store,
  runId: string,
  rows: readonly number[],
  excluded: boolean,
): Promise<ExcludedCounts> {
  const run = await requireRun(store, runId);
  if (run.status !== "staged") {
    throw new IngestError(
      "conflict",
      `Run "${runId}" is ${run.status}: only staged rows can be excluded`,
      {
        runId,
        status: run.status,
      },
    );
  }
  await store.setExcluded(runId, rows, excluded);
  return await store.countExcluded(runId);
}

/**
 * Checks a staged run's rows again against the target and the referenced tables as they are
 * now: references (of the rows an unknown reference made invalid too), then the classification.
 */
export async function refreshRun(
  store: Store,
  type: ResolvedUploadType,
  runId: string,
  parent: Context = context.active(),
): Promise<Run> {
  const run = await store.updateRun(runId, ["staged"], { status: "processing" });
  return await withSpan("ingest.refresh", attributes(type, run), parent, async (span) => {
    const stopHeartbeat = keepRunAlive(store, runId);
    try {
      // A referenced row may have come or gone since staging: references are checked again
      // first, of the rows they made invalid too. (Repeated keys within the file change only by
      // fixes, which check their own.)
      await store.recheckReferences(runId, type, run.columns);
      const counts = await store.classify(runId, type, run.columns);
      span.setAttribute("ingest.rows", counts.rows);
      return await store.updateRun(runId, ["processing"], { status: "staged", counts });
    } catch (err) {
      await store.updateRun(runId, ["processing"], { status: "staged" }).catch(() => {});
      throw err;
    } finally {
      stopHeartbeat();
    }
  });
}

/**
 * Reverts a committed run (staged or direct): `committed → reverted`, the target table as before
 * the commit, in one transaction under the table's commit lock. `conflict` when the run is not
 * committed (or was committed before undo logs were kept), `revert_conflict` when rows it wrote
 * changed since; the target is untouched then.
 */
export async function revertRun(
  store: Store,
  type: ResolvedUploadType,
  runId: string,
  actor: string | null,
  parent: Context = context.active(),
): Promise<Run> {
  const run = await requireRun(store, runId);
  return await withSpan("ingest.revert", attributes(type, run), parent, async (span) => {
    const { run: reverted, counts } = await store.revert(runId, type, actor);
    span.setAttributes({
      "ingest.deleted_rows": counts.deleted,
      "ingest.restored_rows": counts.restored,
      "ingest.reinserted_rows": counts.reinserted,
    });
    return reverted;
  });
}
