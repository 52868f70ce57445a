/**
 * {@linkcode ObservedStore}: the store, plus a log line and metrics for each step of a run's
 * lifecycle. Every status change goes through the store (compare-and-set), so watching it here
 * sees each run reach each status exactly once, whoever moved it: the pipeline, the API, the
 * review page or a background worker.
 *
 * It is a decorator over the {@linkcode Store} ports: every call goes to the store it wraps, and
 * the run-changing ones (create, status changes, commits, reverts) are watched on their way back.
 *
 * @module
 */
import type { Run, RunCounts, RunMode, RunStatus } from "../../core/runs/run.ts";
import type {
  CellError,
  ErrorSummaryLine,
  ExcludedCounts,
  FirstLoad,
  FixResult,
  NewRun,
  Page,
  RevertCounts,
  ReviewRow,
  RowEdit,
  RowFilter,
  RowFixer,
  RowQuery,
  RunPatch,
  RunQuery,
  StagingWriter,
  Store,
  TargetTable,
} from "../../core/ports.ts";
import type { NewSavedMapping, SavedMapping } from "../../core/saved_mapping.ts";
import type { CheckedTarget, TargetProblem } from "../../core/target_readiness.ts";
import { log } from "./log.ts";
import type { IntakeMetrics } from "./metrics/intake_metrics.ts";

/** The metrics a run's lifecycle feeds. */
export type RunMetrics = Pick<IntakeMetrics, "runs" | "rows">;

/** A {@linkcode Store} that logs run lifecycle events and counts finished runs and rows. */
export class ObservedStore implements Store {
  readonly #store: Store;
  readonly #metrics: RunMetrics;
  readonly #onRunChange: () => void;

  /** `onRunChange` is called after each attempt to create a run or change its status. */
  constructor(store: Store, metrics: RunMetrics, onRunChange: () => void = () => {}) {
    this.#store = store;
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

  async createRun(run: NewRun): Promise<Run> {
    const created = await this.#changing(this.#store.createRun(run));
    log.info("run created", { ...runFields(created), mode: created.mode });
    return created;
  }

  async updateRun(id: string, from: readonly RunStatus[], patch: RunPatch): Promise<Run> {
    const run = await this.#changing(this.#store.updateRun(id, from, patch));
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

  async commit(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    excludeRows: readonly number[],
  ): Promise<Run> {
    const run = await this.#changing(this.#store.commit(runId, target, columns, excludeRows));
    this.#committed(run, target);
    return run;
  }

  async commitFirstLoad(load: FirstLoad, runId: string): Promise<Run> {
    const run = await this.#changing(this.#store.commitFirstLoad(load, runId));
    this.#committed(run, load.target);
    return run;
  }

  async revert(
    runId: string,
    target: TargetTable,
    actor: string | null,
  ): Promise<{ run: Run; counts: RevertCounts }> {
    const reverted = await this.#changing(this.#store.revert(runId, target, actor));
    log.info("run reverted", {
      ...runFields(reverted.run),
      reverted_by: actor,
      ...reverted.counts,
    });
    this.#metrics.runs.inc({ type: reverted.run.uploadType, status: "reverted" });
    return reverted;
  }

  // Calls that change no run's status go straight through.

  get firstLoads(): boolean {
    return this.#store.firstLoads;
  }

  getRun(id: string): Promise<Run | null> {
    return this.#store.getRun(id);
  }

  listRuns(query: RunQuery): Promise<Page<Run>> {
    return this.#store.listRuns(query);
  }

  reportProgress(id: string, progress: { bytes: number; rows: number }): Promise<void> {
    return this.#store.reportProgress(id, progress);
  }

  touchRun(id: string): Promise<void> {
    return this.#store.touchRun(id);
  }

  openStaging(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    mode: RunMode,
    expectedRows?: number,
  ): Promise<StagingWriter> {
    return this.#store.openStaging(runId, target, columns, mode, expectedRows);
  }

  openFirstLoad(target: TargetTable, columns: readonly string[]): Promise<FirstLoad | null> {
    return this.#store.openFirstLoad(target, columns);
  }

  markDuplicates(runId: string, target: TargetTable, columns: readonly string[]): Promise<number> {
    return this.#store.markDuplicates(runId, target, columns);
  }

  markUnknownReferences(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<number> {
    return this.#store.markUnknownReferences(runId, target, columns);
  }

  recheckReferences(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<number> {
    return this.#store.recheckReferences(runId, target, columns);
  }

  classify(runId: string, target: TargetTable, columns: readonly string[]): Promise<RunCounts> {
    return this.#store.classify(runId, target, columns);
  }

  listRows(runId: string, query: RowQuery): Promise<Page<ReviewRow>> {
    return this.#store.listRows(runId, query);
  }

  listRowNumbers(runId: string, filter: RowFilter): Promise<number[]> {
    return this.#store.listRowNumbers(runId, filter);
  }

  errorSummary(runId: string): Promise<ErrorSummaryLine[]> {
    return this.#store.errorSummary(runId);
  }

  getRow(runId: string, rowNumber: number): Promise<ReviewRow | null> {
    return this.#store.getRow(runId, rowNumber);
  }

  fixRows(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    rows: readonly number[] | null,
    fix: RowFixer,
    actor: string | null,
  ): Promise<FixResult> {
    return this.#store.fixRows(runId, target, columns, rows, fix, actor);
  }

  listEdits(runId: string): Promise<RowEdit[]> {
    return this.#store.listEdits(runId);
  }

  countEdits(runId: string): Promise<number> {
    return this.#store.countEdits(runId);
  }

  invalidRows(runId: string): AsyncIterable<{ row: number; raw: string[]; errors: CellError[] }> {
    return this.#store.invalidRows(runId);
  }

  setExcluded(runId: string, rows: readonly number[], excluded: boolean): Promise<number> {
    return this.#store.setExcluded(runId, rows, excluded);
  }

  countExcluded(runId: string): Promise<ExcludedCounts> {
    return this.#store.countExcluded(runId);
  }

  purgeCommittedRows(retentionMs: number): Promise<string[]> {
    return this.#store.purgeCommittedRows(retentionMs);
  }

  clearRows(runId: string, keepInvalid: boolean): Promise<void> {
    return this.#store.clearRows(runId, keepInvalid);
  }

  checkTarget(target: CheckedTarget): Promise<TargetProblem | null> {
    return this.#store.checkTarget(target);
  }

  findMapping(
    uploadType: string,
    signature: string,
    owner: string | null,
  ): Promise<SavedMapping | null> {
    return this.#store.findMapping(uploadType, signature, owner);
  }

  saveMapping(mapping: NewSavedMapping): Promise<SavedMapping> {
    return this.#store.saveMapping(mapping);
  }

  exportRows(
    target: TargetTable,
    columns: readonly string[],
    batchSize?: number,
  ): AsyncIterable<Record<string, unknown>[]> {
    return this.#store.exportRows(target, columns, batchSize);
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
