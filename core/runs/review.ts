/**
 * What a reviewer does with a staged run besides committing it (`stages/commit.ts`): leave rows
 * out of the commit (or back in), discard the run, or refresh its classification against the
 * target as it is now.
 *
 * Status changes are compare-and-set in the store, so of a discard racing a commit exactly one
 * wins and the other gets `conflict`.
 *
 * @module
 */
import { type Context, context } from "@opentelemetry/api";
import type { ResolvedUploadType } from "../config/upload_type_schema.ts";
import { IngestError } from "../errors.ts";
import type { Run } from "./run.ts";
import { keepRunAlive } from "./heartbeat.ts";
import { requireRun } from "./require_run.ts";
import type { ExcludedCounts, RowFilter, Store } from "../ports.ts";
import { rowsMatching } from "./row_filter.ts";
import { runSpanAttributes, withSpan } from "../telemetry.ts";

/** Discards a staged run; its invalid rows stay for the error report. */
export async function discardRun(
  store: Store,
  type: ResolvedUploadType,
  runId: string,
  parent: Context = context.active(),
): Promise<Run> {
  const run = await requireRun(store, runId);
  return await withSpan("ingest.discard", runSpanAttributes(type.name, run), parent, async () => {
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
  requireStagedForExclusion(run);
  await store.setExcluded(runId, rows, excluded);
  return await store.countExcluded(runId);
}

function requireStagedForExclusion(run: Run): void {
  if (run.status !== "staged") {
    throw new IngestError(
      "conflict",
      `Run "${run.id}" is ${run.status}: only staged rows can be excluded`,
      { runId: run.id, status: run.status },
    );
  }
}

/**
 * Excludes from the commit (or includes again) every row `filter` picks, as
 * {@linkcode setExcluded}; returns how many rows changed and the excluded counts afterwards.
 */
export async function setExcludedByFilter(
  store: Store,
  runId: string,
  filter: RowFilter,
  excluded: boolean,
): Promise<{ affected: number; excluded: ExcludedCounts }> {
  const run = await requireRun(store, runId);
  requireStagedForExclusion(run);
  const rows = await rowsMatching(store, run, filter);
  const affected = await store.setExcluded(runId, rows, excluded);
  return { affected, excluded: await store.countExcluded(runId) };
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
  return await withSpan(
    "ingest.refresh",
    runSpanAttributes(type.name, run),
    parent,
    async (span) => {
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
    },
  );
}
