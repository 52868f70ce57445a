/**
 * {@linkcode PostgresStore}: the {@linkcode Store} on PostgreSQL (embedded PGlite or a server),
 * through Kysely and the driver's COPY.
 *
 * @module
 */
import { type QueryResult, type RawBuilder, sql } from "kysely";
import type { Database } from "../../db/database.ts";
import { IngestError } from "../../core/errors.ts";
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
import { findTargetProblem } from "./target_check.ts";
import { classifyRows } from "./classify.ts";
import { applyReviewedRun } from "./commit.ts";
import { importStagedRows } from "./direct_import.ts";
import { countEdits, fixInvalidRows, selectEdits } from "./edits.ts";
import { openFirstLoad } from "./first_load.ts";
import { markDuplicateKeys, markRepeatedKeys } from "./duplicate_keys.ts";
import {
  countExcluded,
  markExcluded,
  selectRowNumbers,
  selectRows,
  summarizeErrors,
} from "./review_rows.ts";
import { purgeCommittedRows } from "./retention.ts";
import { revertRun } from "./revert.ts";
import { selectMapping, upsertMapping } from "./mappings.ts";
import {
  insertRun,
  selectRun,
  selectRuns,
  touchActiveRun,
  updateProgress,
  updateRunIf,
} from "./runs.ts";
import { idList, lockTable, targetScanGuard } from "./sql_fragments.ts";
import { stagedColumns } from "./staged_values.ts";
import { countRows, deleteRows, selectInvalidRows, stagingWriter } from "./rows.ts";
import { markUnknownReferences, restoreUnknownReferences } from "./unknown_references.ts";
import {
  createStagingTable,
  describeStagingTable,
  dropStagingTable,
  stagingTable,
  sweepStagingTables,
} from "./stage_tables.ts";

/**
 * The store on a {@linkcode Database}.
 *
 * @example Create a run
 * ```ts ignore
 * const store = new PostgresStore(await openDatabase({}));
 * const run = await store.createRun({ id: crypto.randomUUID(), uploadType: "facilities",
 *   mode: "staged", fileName: "f.csv", contentType: "text/csv", actor: null, traceId: null });
 * ```
 */
export class PostgresStore implements Store {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** A first load needs a bulk transaction, which PGlite's one connection cannot spare. */
  get firstLoads(): boolean {
    return this.#db.beginBulk !== undefined;
  }

  /** The underlying database (for health checks). */
  get database(): Database {
    return this.#db;
  }

  createRun(run: NewRun): Promise<Run> {
    return insertRun(this.#db.kysely, run);
  }

  getRun(id: string): Promise<Run | null> {
    return selectRun(this.#db.kysely, id);
  }

  listRuns(query: RunQuery): Promise<Page<Run>> {
    return selectRuns(this.#db.kysely, query);
  }

  updateRun(id: string, from: readonly RunStatus[], patch: RunPatch): Promise<Run> {
    return updateRunIf(this.#db.kysely, id, from, patch);
  }

  reportProgress(id: string, progress: { bytes: number; rows: number }): Promise<void> {
    return updateProgress(this.#db.kysely, id, progress);
  }

  touchRun(id: string): Promise<void> {
    return touchActiveRun(this.#db.kysely, id);
  }

  async openStaging(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    mode: RunMode,
    expectedRows = 0,
  ): Promise<StagingWriter> {
    const staged = stagedColumns(target, columns);
    await sweepStagingTables(this.#db.kysely);
    await createStagingTable(this.#db.kysely, runId, staged, mode === "direct");
    return stagingWriter(this.#db, runId, staged, target.key, expectedRows);
  }

  openFirstLoad(target: TargetTable, columns: readonly string[]): Promise<FirstLoad | null> {
    return openFirstLoad(this.#db, target, columns);
  }

  commitFirstLoad(load: FirstLoad, runId: string): Promise<Run> {
    return load.commit(runId);
  }

  async markDuplicates(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<number> {
    // Freshly loaded, the staging table has no statistics until autovacuum gets to it; the
    // duplicate, reference and classification statements that follow join it, and a plan made
    // without them nested a scan of a 5 M-row table inside a loop over its marked rows. Those
    // plans need its size and rough shape, which a sample of 3,000 rows gives as well as the
    // default 30,000 (measured: 20 against 190–250 ms for a million rows).
    await this.#db.kysely.transaction().execute(async (trx) => {
      await sql`select set_config('default_statistics_target', '10', true)`.execute(trx);
      await sql`analyze ${sql.table(stagingTable(runId))}`.execute(trx);
    });
    return await markDuplicateKeys(this.#db.kysely, runId, target, stagedColumns(target, columns));
  }

  async markUnknownReferences(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<number> {
    if (!target.references?.length) return 0;
    const staged = stagedColumns(target, columns);
    return await this.#db.kysely.transaction().execute(async (trx) => {
      // The referenced tables are probed by key, never scanned once per staged row.
      await targetScanGuard(true).execute(trx);
      return await markUnknownReferences(trx, runId, target, staged);
    });
  }

  async recheckReferences(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<number> {
    if (!target.references?.length) return 0;
    const staged = stagedColumns(target, columns);
    return await this.#db.kysely.transaction().execute(async (trx) => {
      const restored = await restoreUnknownReferences(trx, runId, staged);
      if (restored.length) await markRepeatedKeys(trx, runId, target, staged, restored);
      await targetScanGuard(true).execute(trx);
      return await markUnknownReferences(trx, runId, target, staged);
    });
  }

  async classify(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<RunCounts> {
    const staged = stagedColumns(target, columns);
    await this.#db.kysely.transaction().execute((trx) => classifyRows(trx, runId, target, staged));
    return await countRows(this.#db.kysely, runId, true);
  }

  listRows(runId: string, query: RowQuery): Promise<Page<ReviewRow>> {
    return selectRows(this.#db, runId, query);
  }

  listRowNumbers(runId: string, filter: RowFilter): Promise<number[]> {
    return selectRowNumbers(this.#db, runId, filter);
  }

  errorSummary(runId: string): Promise<ErrorSummaryLine[]> {
    return summarizeErrors(this.#db, runId);
  }

  async getRow(runId: string, rowNumber: number): Promise<ReviewRow | null> {
    const page = await selectRows(this.#db, runId, { limit: 1, cursor: String(rowNumber - 1) });
    const row = page.items[0];
    return row?.rowNumber === rowNumber ? row : null;
  }

  fixRows(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    rows: readonly number[] | null,
    fix: RowFixer,
    actor: string | null,
  ): Promise<FixResult> {
    const staged = stagedColumns(target, columns);
    return this.#db.kysely.transaction().execute((trx) =>
      fixInvalidRows(trx, runId, target, staged, rows, fix, actor)
    );
  }

  listEdits(runId: string): Promise<RowEdit[]> {
    return selectEdits(this.#db.kysely, runId);
  }

  countEdits(runId: string): Promise<number> {
    return countEdits(this.#db.kysely, runId);
  }

  invalidRows(runId: string): AsyncIterable<{ row: number; raw: string[]; errors: CellError[] }> {
    return selectInvalidRows(this.#db, runId);
  }

  setExcluded(runId: string, rows: readonly number[], excluded: boolean): Promise<number> {
    return markExcluded(this.#db, runId, rows, excluded);
  }

  countExcluded(runId: string): Promise<ExcludedCounts> {
    return countExcluded(this.#db, runId);
  }

  commit(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    excludeRows: readonly number[],
  ): Promise<Run> {
    const staged = stagedColumns(target, columns);
    return this.#db.kysely.transaction().execute(async (trx) => {
      await lockTable(target.table).execute(trx);
      const info = await describeStagingTable(trx, runId);
      if (!info) {
        throw new IngestError("conflict", `Run "${runId}" has no staged rows to commit`, {
          runId,
        });
      }
      let patch: RunPatch;
      if (info.classified) {
        const applied = await applyReviewedRun(trx, runId, target, staged, excludeRows);
        // The run's counts follow its exclusions as they are saved (review_rows.ts); those made
        // with the commit move now. They are what it wrote (assertFresh saw to it), but an
        // insert-only type's changed rows, which it leaves alone and counts as a direct import
        // does. (Counting the table again would cost a scan: 0.5 s per million rows.)
        const counts = withExcluded((await selectRun(trx, runId))!.counts, applied.excluded);
        if (applied.inserted + applied.updated + applied.deleted === 0) {
          throw nothingToCommit(runId, target, counts);
        }
        patch = {
          counts,
          undoRows: applied.updated + applied.deleted,
          inserted: applied.inserted,
        };
      } else {
        const counts = await importStagedRows(trx, runId, target, staged, excludeRows);
        const updated = target.writeMode === "insert" ? 0 : counts.changed;
        patch = { counts, undoRows: updated + counts.deleted, inserted: counts.new };
      }
      const run = await updateRunIf(trx, runId, ["committing"], {
        ...patch,
        status: "committed",
        finishedAt: true,
      });
      // A reviewed run keeps its rows, diffs and exclusions as the record of what it applied,
      // until the retention setting purges them (retention.ts); a direct import's staging held
      // nothing a reviewer saw, and only its invalid rows stay.
      if (!info.classified) {
        await dropStagingTable(trx, runId);
        await trx.deleteFrom("ingest_rows").where("run_id", "=", runId)
          .where("action", "<>", "invalid").execute();
      }
      return run;
    });
  }

  revert(
    runId: string,
    target: TargetTable,
    actor: string | null,
  ): Promise<{ run: Run; counts: RevertCounts }> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      await lockTable(target.table).execute(trx);
      const run = await updateRunIf(trx, runId, ["committed"], {
        status: "reverted",
        reverted: { by: actor },
      });
      return { run, counts: await revertRun(trx, runId, target) };
    });
  }

  checkTarget(target: CheckedTarget): Promise<TargetProblem | null> {
    return findTargetProblem(this.#db.kysely, target);
  }

  findMapping(
    uploadType: string,
    signature: string,
    owner: string | null,
  ): Promise<SavedMapping | null> {
    return selectMapping(this.#db, uploadType, signature, owner);
  }

  saveMapping(mapping: NewSavedMapping): Promise<SavedMapping> {
    return upsertMapping(this.#db, mapping);
  }

  purgeCommittedRows(retentionMs: number): Promise<string[]> {
    return purgeCommittedRows(this.#db.kysely, retentionMs);
  }

  clearRows(runId: string, keepInvalid: boolean): Promise<void> {
    return deleteRows(this.#db, runId, keepInvalid);
  }

  async *exportRows(
    target: TargetTable,
    columns: readonly string[],
    batchSize = 2000,
  ): AsyncGenerator<Record<string, unknown>[]> {
    // Text through to_json keeps numerics exact, dates as YYYY-MM-DD and timestamps in ISO form
    // on both drivers.
    const select = sql.join(
      columns.map((c) => sql`to_json(${sql.ref(`t.${c}`)}) #>> '{}' as ${sql.id(c)}`),
    );
    let after: Record<string, unknown> | null = null;
    while (true) {
      const where: RawBuilder<unknown> = after
        ? sql`where (${idList(target.key, "t")}) > (select ${idList(target.key, "a")}
            from jsonb_populate_record(NULL::${sql.table(target.table)}, ${
          JSON.stringify(after)
        }::jsonb) a)`
        : sql``;
      const result: QueryResult<Record<string, unknown>> = await sql<Record<string, unknown>>`
        select ${select} from ${sql.table(target.table)} t ${where}
        order by ${idList(target.key, "t")} limit ${batchSize}
      `.execute(this.#db.kysely);
      if (result.rows.length) yield result.rows;
      if (result.rows.length < batchSize) return;
      const last: Record<string, unknown> = result.rows[result.rows.length - 1];
      after = Object.fromEntries(target.key.map((k): [string, unknown] => [k, last[k]]));
    }
  }
}

/** `counts` with the rows of `excluded` moved from their actions to `excluded`. */
function withExcluded(counts: RunCounts, excluded: ExcludedCounts): RunCounts {
  return {
    ...counts,
    new: counts.new - excluded.new,
    changed: counts.changed - excluded.changed,
    deleted: counts.deleted - excluded.deleted,
    excluded: counts.excluded + excluded.new + excluded.changed + excluded.deleted,
  };
}

/** The `nothing_to_commit` of a reviewed run whose commit would write no row. */
function nothingToCommit(runId: string, target: TargetTable, counts: RunCounts): IngestError {
  const parts = [
    counts.invalid && `${counts.invalid} invalid`,
    counts.unchanged && `${counts.unchanged} unchanged`,
    counts.excluded && `${counts.excluded} excluded`,
    counts.changed && target.writeMode === "insert" &&
    `${counts.changed} changed (the type only inserts new keys)`,
  ].filter(Boolean);
  return new IngestError(
    "nothing_to_commit",
    `Nothing to commit: no row of this run would change "${target.table}"` +
      (parts.length ? ` (${parts.join(", ")})` : " (the file has no rows)") +
      "; discard it, or fix or include rows first",
    { runId, counts },
  );
}

/** The store on `db`: every port Intake's pipeline, API and worker use, on PostgreSQL. */
export function createPostgresStore(db: Database): PostgresStore {
  return new PostgresStore(db);
}
