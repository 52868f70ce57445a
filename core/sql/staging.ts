/**
 * The staging area (`ingest_rows`): bulk writes of validated rows and paged reads for review and
 * the error report.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "../database.ts";
import { IngestError } from "../errors.ts";
import type { RowAction } from "../runs.ts";
import type {
  CellError,
  ExcludedCounts,
  FieldChange,
  Page,
  ReviewRow,
  RowQuery,
  StagedRow,
} from "../store.ts";
import { json } from "./run_repository.ts";
import { intArray } from "./sql_fragments.ts";

const STAGING_COLUMNS = ["run_id", "row_number", "line", "action", "values", "raw", "errors"];

/** Writes one batch of staged rows with COPY. */
export async function copyStagedRows(
  db: Database,
  runId: string,
  rows: readonly StagedRow[],
): Promise<void> {
  if (rows.length === 0) return;
  // One join at the end builds a flat string; `+=` would build a rope that the driver then
  // flattens (measured: a second per 200 k rows).
  const lines = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const errors = r.errors ? quote(JSON.stringify(r.errors)) : "";
    lines[i] = `${runId},${r.row},${r.line},${r.errors ? "invalid" : "pending"},${
      quote(JSON.stringify(r.values))
    },${quote(JSON.stringify(r.raw))},${errors}\n`;
  }
  const csv = lines.join("");
  await db.copyCsv("ingest_rows", STAGING_COLUMNS, csv);
}

// COPY's CSV format reads an unquoted empty field as NULL, so every JSON value is quoted.
function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** Returns one page of staged rows, in row order, optionally of one action. */
export async function selectRows(
  db: Database,
  runId: string,
  query: RowQuery,
): Promise<Page<ReviewRow>> {
  let q = db.kysely.selectFrom("ingest_rows")
    .select(["row_number", "line", "action", "values", "errors", "changes", "excluded"])
    .where("run_id", "=", runId);
  if (query.action) q = q.where("action", "=", query.action);
  if (query.cursor !== undefined) q = q.where("row_number", ">", parseCursor(query.cursor));
  const rows = await q.orderBy("row_number").limit(query.limit + 1).execute();
  const items = rows.slice(0, query.limit).map((r) => ({
    rowNumber: Number(r.row_number),
    line: r.line === null ? null : Number(r.line),
    action: r.action as RowAction,
    values: json<Record<string, unknown>>(r.values) ?? {},
    changes: json<FieldChange[]>(r.changes) ?? [],
    errors: json<CellError[]>(r.errors) ?? [],
    excluded: Boolean(r.excluded),
  }));
  const nextCursor = rows.length > query.limit ? String(items[items.length - 1].rowNumber) : null;
  return { items, nextCursor };
}

function parseCursor(cursor: string): number {
  const n = Number(cursor);
  if (!Number.isSafeInteger(n)) {
    throw new IngestError("bad_request", `Invalid cursor "${cursor}"`, { cursor });
  }
  return n;
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

/** Deletes a run's staged rows, keeping the invalid ones when the error report needs them. */
export async function deleteRows(db: Database, runId: string, keepInvalid: boolean): Promise<void> {
  let q = db.kysely.deleteFrom("ingest_rows").where("run_id", "=", runId);
  if (keepInvalid) q = q.where("action", "<>", "invalid");
  await q.execute();
}

/** Counts a run's staged rows by action (on the pool or inside a transaction). */
export async function countRows(
  // deno-lint-ignore no-explicit-any
  db: Kysely<any>,
  runId: string,
): Promise<Record<RowAction | "pending", number>> {
  const result = await sql<{ action: RowAction; n: number }>`
    select action, count(*)::int as n from ingest_rows where run_id = ${runId} group by action
  `.execute(db);
  const counts = { pending: 0, new: 0, changed: 0, unchanged: 0, invalid: 0, deleted: 0 };
  for (const r of result.rows) counts[r.action] = Number(r.n);
  return counts;
}

/**
 * Marks staged rows as excluded from the commit (or includes them again), only while the run is
 * `staged` and only rows a commit would write; returns how many rows changed.
 */
export async function markExcluded(
  db: Database,
  runId: string,
  rows: readonly number[],
  excluded: boolean,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    update ingest_rows set excluded = ${excluded}
    where run_id = ${runId} and row_number in ${intArray(rows)}
      and action in ('new', 'changed', 'deleted') and excluded <> ${excluded}
      and exists (select 1 from ingest_runs where id = ${runId} and status = 'staged')
  `.execute(db.kysely);
  return Number(result.numAffectedRows ?? 0);
}

/** Counts a run's excluded rows by action. */
export async function countExcluded(
  db: Database,
  runId: string,
): Promise<ExcludedCounts> {
  const result = await sql<{ action: keyof ExcludedCounts; n: number }>`
    select action, count(*)::int as n from ingest_rows
    where run_id = ${runId} and excluded group by action
  `.execute(db.kysely);
  const counts = { new: 0, changed: 0, deleted: 0 };
  for (const r of result.rows) counts[r.action] = Number(r.n);
  return counts;
}
