/**
 * A run's staging area: valid rows in its typed staging table (`typed_staging.ts`), invalid rows
 * in `ingest_rows` with their raw cells and errors. Bulk writes of both, the error report's
 * reads, counts, and clearing.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import type { Database } from "../../db/database.ts";
import type { RowAction, RunCounts } from "../../core/runs/run.ts";
import type { CellError, StagedRow, StagingWriter } from "../../core/ports.ts";
import { json } from "./runs.ts";
import type { StagedColumn } from "./staged_values.ts";
import { KeyFilter, keyText } from "./key_filter.ts";
import { CopyBuffer } from "./copy_buffer.ts";
import { stagingLine } from "./staging_csv.ts";
import { dropStagingTable, STAGE, stagingCopyColumns, stagingTable } from "./stage_tables.ts";

const INVALID_COLUMNS = ["run_id", "row_number", "line", "action", "values", "raw", "errors"];

/**
 * The writer of a run whose staging table has `columns`, of which `key` make the key; about
 * `expectedRows` rows are coming, when known.
 */
export function stagingWriter(
  db: Database,
  runId: string,
  columns: readonly StagedColumn[],
  key: readonly string[],
  expectedRows = 0,
): StagingWriter {
  const table = stagingTable(runId);
  const copyColumns = stagingCopyColumns(columns);
  const names = columns.map((c) => c.name);
  const keyColumns = key.map((k) => columns.find((c) => c.name === k)!);
  const seen = new KeyFilter(expectedRows);
  const lines = new CopyBuffer();
  let invalid: StagedRow[] = [];
  const keyParts = new Array<string>(keyColumns.length);
  const keyOf = (values: StagedRow["values"]): string[] => {
    for (let k = 0; k < keyColumns.length; k++) {
      keyParts[k] = keyText(values[keyColumns[k].name] ?? null, keyColumns[k].type!);
    }
    return keyParts;
  };
  return {
    add(row) {
      if (row.errors !== null) invalid.push(row);
      else lines.add(stagingLine(names, row, seen.addAndCheck(keyOf(row.values))));
    },
    get pending() {
      return lines.count + invalid.length;
    },
    async flush() {
      const batch = lines.count ? lines.take() : null;
      const rejected = invalid;
      invalid = [];
      if (batch) await db.copyCsv(table, copyColumns, batch);
      if (rejected.length) await copyInvalidRows(db, runId, rejected);
    },
  };
}

/** Writes invalid rows to `ingest_rows` with COPY. */
async function copyInvalidRows(
  db: Database,
  runId: string,
  rows: readonly StagedRow[],
): Promise<void> {
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    lines[i] = `${runId},${r.row},${r.line},invalid,${quote(JSON.stringify(r.values))},${
      quote(JSON.stringify(r.raw))
    },${quote(JSON.stringify(r.errors))}\n`;
  }
  await db.copyCsv("ingest_rows", INVALID_COLUMNS, lines.join(""));
}

// COPY's CSV format reads an unquoted empty field as NULL, so every JSON value is quoted.
function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Streams the invalid rows of a run in pages, for the error report. */
export async function* selectInvalidRows(
  db: Database,
  runId: string,
  pageSize = 1000,
): AsyncGenerator<{ row: number; raw: string[]; errors: CellError[] }> {
  let after = -1;
  while (true) {
    const rows = await db.kysely.selectFrom("ingest_rows")
      .select(["row_number", "raw", "errors"])
      .where("run_id", "=", runId).where("action", "=", "invalid")
      .where("row_number", ">", after)
      .orderBy("row_number").limit(pageSize).execute();
    for (const r of rows) {
      yield {
        row: Number(r.row_number),
        raw: json<string[]>(r.raw) ?? [],
        errors: json<CellError[]>(r.errors) ?? [],
      };
    }
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1].row_number);
  }
}

/**
 * Clears a run's staging: drops its staging table and deletes its rows in `ingest_rows`, but
 * the invalid ones when the error report needs them.
 */
export async function deleteRows(db: Database, runId: string, keepInvalid: boolean): Promise<void> {
  await dropStagingTable(db.kysely, runId);
  let q = db.kysely.deleteFrom("ingest_rows").where("run_id", "=", runId);
  if (keepInvalid) q = q.where("action", "<>", "invalid");
  await q.execute();
}

/**
 * Counts a run's rows by action: the staging table's (all `new` until classified) and
 * `ingest_rows'`; `rows` is every row of the file (the deleted ones are the target's). A row a
 * reviewer excluded from the commit counts as `excluded`, not by its action.
 */
export async function countRows(
  db: IntakeDb,
  runId: string,
  classified: boolean,
): Promise<RunCounts> {
  const action = classified
    ? sql`case when ${sql.ref(STAGE.excluded)} and ${sql.ref(STAGE.action)} in ('new', 'changed')
        then 'excluded' else ${sql.ref(STAGE.action)} end`
    : sql<string>`'new'`;
  const result = await sql<{ action: RowAction | "excluded" | "excluded_deleted"; n: number }>`
    select ${action} as action, count(*)::int as n from ${sql.table(stagingTable(runId))}
    group by 1
    union all
    select case when excluded and action = 'deleted' then 'excluded_deleted' else action end,
      count(*)::int from ingest_rows where run_id = ${runId} group by 1
  `.execute(db);
  const counts = {
    new: 0,
    changed: 0,
    unchanged: 0,
    invalid: 0,
    deleted: 0,
    excluded: 0,
    excluded_deleted: 0,
  };
  for (const r of result.rows) counts[r.action] += Number(r.n);
  const { excluded_deleted: excludedDeletes, ...byAction } = counts;
  // Rows to delete are the target's, not the file's.
  const rows = byAction.new + byAction.changed + byAction.unchanged + byAction.invalid +
    byAction.excluded;
  return { rows, ...byAction, excluded: byAction.excluded + excludedDeletes };
}
