/**
 * {@linkcode SqlStore}: the {@linkcode Store} on PostgreSQL (embedded PGlite or a server),
 * through Kysely and the driver's COPY.
 *
 * @module
 */
import { type QueryResult, type RawBuilder, sql } from "kysely";
import type { Database } from "../database.ts";
import type { RowAction, Run, RunCounts, RunStatus } from "../runs.ts";
import { isIngestError } from "../errors.ts";
import type {
  CellError,
  CommitOptions,
  ExcludedCounts,
  NewRun,
  Page,
  ReviewRow,
  RowQuery,
  RunPatch,
  RunQuery,
  StagedRow,
  Store,
  TargetTable,
} from "../store.ts";
import type { ColumnMapping } from "../stages/map_headers.ts";
import { classifyRows } from "./classify.ts";
import { selectMapping, upsertMapping } from "./saved_mappings.ts";
import { applyRun } from "./commit.ts";
import {
  insertRun,
  selectRun,
  selectRuns,
  touchActiveRun,
  updateProgress,
  updateRunIf,
} from "./run_repository.ts";
import {
  copyStagedRows,
  countExcluded,
  countRows,
  deleteRows,
  markExcluded,
  selectInvalidRows,
  selectRows,
} from "./staging.ts";
import { idList } from "./sql_fragments.ts";

/**
 * The store on a {@linkcode Database}.
 *
 * @example Create a run
 * ```ts ignore
 * const store = new SqlStore(await openDatabase({}));
 * const run = await store.createRun({ id: crypto.randomUUID(), uploadType: "facilities",
 *   mode: "staged", fileName: "f.csv", contentType: "text/csv", actor: null, traceId: null });
 * ```
 */
export class SqlStore implements Store {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
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

  stageRows(runId: string, rows: readonly StagedRow[]): Promise<void> {
    return copyStagedRows(this.#db, runId, rows);
  }

  async classify(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<RunCounts> {
    // Fresh statistics after a bulk load: without them the planner takes a million staged rows
    // for a handful and picks nested loops that never finish.
    await sql`analyze ingest_rows`.execute(this.#db.kysely);
    await this.#db.kysely.transaction().execute((trx) => classifyRows(trx, runId, target, columns));
    return toCounts(await countRows(this.#db.kysely, runId));
  }

  listRows(runId: string, query: RowQuery): Promise<Page<ReviewRow>> {
    return selectRows(this.#db, runId, query);
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
    options: CommitOptions = {},
  ): Promise<Run> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      let counts: RunCounts | undefined;
      try {
        await applyRun(trx, runId, target, columns, excludeRows);
      } catch (err) {
        if (!options.reclassifyStale || !isIngestError(err, "stale_review")) throw err;
        // applyRun holds the table's commit lock to the end of the transaction and wrote
        // nothing yet, so classifying again here sees the target exactly as the write will.
        await classifyRows(trx, runId, target, columns);
        counts = toCounts(await countRows(trx, runId));
        await applyRun(trx, runId, target, columns, excludeRows);
      }
      const run = await updateRunIf(trx, runId, ["committing"], {
        status: "committed",
        finishedAt: true,
        ...(counts ? { counts } : {}),
      });
      await trx.deleteFrom("ingest_rows").where("run_id", "=", runId)
        .where("action", "<>", "invalid").execute();
      return run;
    });
  }

  findMapping(uploadType: string, signature: string): Promise<ColumnMapping | null> {
    return selectMapping(this.#db, uploadType, signature);
  }

  saveMapping(uploadType: string, signature: string, mapping: ColumnMapping): Promise<void> {
    return upsertMapping(this.#db, uploadType, signature, mapping);
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

/** Run counts from a run's staged rows by action (pending rows are valid, not yet classified). */
function toCounts(c: Record<RowAction | "pending", number>): RunCounts {
  return {
    rows: c.new + c.changed + c.unchanged + c.invalid + c.pending,
    new: c.new,
    changed: c.changed,
    unchanged: c.unchanged,
    invalid: c.invalid,
    deleted: c.deleted,
  };
}
