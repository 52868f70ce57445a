/**
 * {@linkcode ObservedStore}: the store, plus a log line and metrics for each step of a run's
 * lifecycle. Every status change goes through the store (compare-and-set), so watching it here
 * sees each run reach each status exactly once, whoever moved it: the pipeline, the API, the
 * review page or a background worker.
 *
 * @module
 */
import type { Database } from "../../core/database.ts";
import { SqlStore } from "../../core/sql/sql_store.ts";
import type { Run, RunStatus } from "../../core/runs/run.ts";
import type { FirstLoad, NewRun, RevertCounts, RunPatch, TargetTable } from "../../core/store.ts";
import { log } from "./log.ts";
import type { IntakeMetrics } from "./metrics/intake_metrics.ts";

/** The metrics a run's lifecycle feeds. */
export type RunMetrics = Pick<IntakeMetrics, "runs" | "rows">;

/** A {@linkcode SqlStore} that logs run lifecycle events and counts finished runs and rows. */
export class ObservedStore extends SqlStore {
  readonly #metrics: RunMetrics;
  readonly #onRunChange: () => void;

  /** `onRunChange` is called after each attempt to create a run or change its status. */
  constructor(db: Database, metrics: RunMetrics, onRunChange: () => void = () => {}) {
    super(db);
    this.#metrics = metrics;
    this.#onRunChange = onRunChange;
  }

  /** Runs a write, then reports a possible change even when it failed half-way. */
  async #changing<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.#onRunChange();
    }
  }

  override async createRun(run: NewRun): Promise<Run> {
    const created = await this.#changing(super.createRun(run));
    log.info("run created", { ...runFields(created), mode: created.mode });
    return created;
  }

  override async updateRun(id: string, from: readonly RunStatus[], patch: RunPatch): Promise<Run> {
    const run = await this.#changing(super.updateRun(id, from, patch));
    // A refresh or a stale commit also returns to staged; only the first staging sets stagedAt.
    if (patch.status === "staged" && patch.stagedAt) {
      log.info("run staged", { ...runFields(run), ...run.counts });
    } else if (patch.status === "failed") {
      log.info("run failed", { ...runFields(run), error_type: run.error?.type ?? null });
      this.#finished(run, null);
    } else if (patch.status === "discarded") {
      log.info("run discarded", runFields(run));
      this.#finished(run, null);
    }
    return run;
  }

  override async commit(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    excludeRows: readonly number[],
  ): Promise<Run> {
    const run = await this.#changing(super.commit(runId, target, columns, excludeRows));
    this.#committed(run, target);
    return run;
  }

  override async commitFirstLoad(load: FirstLoad, runId: string): Promise<Run> {
    const run = await this.#changing(super.commitFirstLoad(load, runId));
    this.#committed(run, load.target);
    return run;
  }

  override async revert(
    runId: string,
    target: TargetTable,
    actor: string | null,
  ): Promise<{ run: Run; counts: RevertCounts }> {
    const reverted = await this.#changing(super.revert(runId, target, actor));
    log.info("run reverted", {
      ...runFields(reverted.run),
      reverted_by: actor,
      ...reverted.counts,
    });
    this.#metrics.runs.inc({ type: reverted.run.uploadType, status: "reverted" });
    return reverted;
  }

  #committed(run: Run, target: TargetTable): void {
    log.info("run committed", { ...runFields(run), ...run.counts });
    this.#finished(run, target);
  }

  /** Counts a run that reached a final status; `target` is given for committed runs. */
  #finished(run: Run, target: TargetTable | null): void {
    const type = run.uploadType;
    this.#metrics.runs.inc({ type, status: run.status });
    const { counts } = run;
    const actions: Array<[string, number]> = [["invalid", counts.invalid]];
    if (target) {
      // Rows are counted as written: an insert-only type leaves changed rows alone, and rows a
      // reviewer excluded count as excluded.
      actions.push(
        ["inserted", counts.new],
        ["updated", target.writeMode === "insert" ? 0 : counts.changed],
        ["deleted", counts.deleted],
        ["unchanged", counts.unchanged],
        ["excluded", counts.excluded],
      );
    }
    for (const [action, n] of actions) this.#metrics.rows.inc({ type, action }, n);
  }
}

function runFields(run: Run): Record<string, unknown> {
  return {
    run_id: run.id,
    upload_type: run.uploadType,
    ...(run.traceId ? { trace_id: run.traceId } : {}),
  };
}
