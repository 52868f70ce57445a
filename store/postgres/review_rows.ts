/**
 * The rows of a staged run as the review sees them, and the reviewer's exclusions: valid rows
 * from the run's classified staging table, invalid and to-be-deleted rows from `ingest_rows`,
 * merged in row order.
 *
 * @module
 */
import { type RawBuilder, sql } from "kysely";
import type { Database } from "../../db/database.ts";
import { IngestError } from "../../core/errors.ts";
import type { RowAction } from "../../core/runs/run.ts";
import type {
  CellError,
  ErrorSummaryLine,
  ExcludedCounts,
  FieldChange,
  Page,
  ReviewRow,
  RowFilter,
  RowQuery,
  RowSort,
} from "../../core/ports.ts";
import { json } from "./runs.ts";
import { intArray } from "./sql_fragments.ts";
import { type StagedColumn, textValue, valuesObject } from "./staged_values.ts";
import {
  describeStagingTable,
  STAGE,
  stagingTable,
  type StagingTableInfo,
} from "./stage_tables.ts";

const STAGED_ACTIONS: readonly RowAction[] = ["new", "changed", "unchanged"];

/** Returns one page of a run's rows, in row order (or by `query.sort`), filtered by `query`. */
export async function selectRows(
  db: Database,
  runId: string,
  query: RowQuery,
): Promise<Page<ReviewRow>> {
  const limit = query.limit + 1;
  const info = await describeStagingTable(db.kysely, runId);
  const sort = query.sort && sortColumn(info, query.sort);
  const after = query.cursor === undefined ? null : parseCursor(query.cursor, sort !== undefined);
  const order = sort
    ? sql`sort_key ${sql.raw(query.sort?.descending ? "desc" : "asc")} nulls last, row_number`
    : sql`row_number`;
  const keyset = after === null
    ? sql`true`
    : sort
    ? afterSortKey(after, sort, query.sort?.descending ?? false)
    : sql`row_number > ${after.row}`;
  // The page is chosen on row numbers and sort keys alone; only its rows are then read whole
  // (building every candidate's values first made a sorted page take 7 s per million rows).
  const parts = filteredRows(runId, info, query, sort).map((part) =>
    sql`(select * from (${part}) p where ${keyset} order by ${order} limit ${limit})`
  );
  const { rows: picked } = await sql<{ row_number: number; sort_key: unknown }>`
    select row_number, sort_key from (${sql.join(parts, sql` union all `)}) r
    order by ${order} limit ${limit}
  `.execute(db.kysely);
  const page = picked.slice(0, query.limit).map((r) => Number(r.row_number));
  const byNumber = await readRows(db, runId, info, page);
  const items = page.flatMap((n) => byNumber.get(n) ?? []);
  let nextCursor: string | null = null;
  if (picked.length > query.limit) {
    const last = picked[query.limit - 1];
    const row = Number(last.row_number);
    nextCursor = sort ? sortCursor(last.sort_key, row) : String(row);
  }
  return { items, nextCursor };
}

/** Reads the rows `numbers` of a run as the review shows them, by row number. */
async function readRows(
  db: Database,
  runId: string,
  info: StagingTableInfo | null,
  numbers: readonly number[],
): Promise<Map<number, ReviewRow>> {
  const found = new Map<number, ReviewRow>();
  if (numbers.length === 0) return found;
  const parts: RawBuilder<unknown>[] = [];
  if (info?.classified) {
    parts.push(sql`
      select ${sql.ref(`s.${STAGE.row}`)} as row_number, ${sql.ref(`s.${STAGE.line}`)} as line,
        ${sql.ref(`s.${STAGE.action}`)} as action, ${valuesObject(info.columns, "s")} as values,
        ${sql.ref(`s.${STAGE.changes}`)} as changes, null::jsonb as errors,
        ${sql.ref(`s.${STAGE.excluded}`)} as excluded, ${sql.ref(`s.${STAGE.raw}`)}::jsonb as raw
      from ${sql.table(stagingTable(runId))} s
      where ${sql.ref(`s.${STAGE.row}`)} in ${intArray(numbers)}
    `);
  }
  parts.push(sql`
    select row_number, line, action, values, changes, errors, excluded, null::jsonb as raw
    from ingest_rows where run_id = ${runId} and row_number in ${intArray(numbers)}
  `);
  const { rows } = await sql<Record<string, unknown>>`
    ${sql.join(parts, sql` union all `)}
  `.execute(db.kysely);
  for (const r of rows) {
    found.set(Number(r.row_number), {
      rowNumber: Number(r.row_number),
      line: r.line === null ? null : Number(r.line),
      action: r.action as RowAction,
      values: json<Record<string, unknown>>(r.values) ?? {},
      changes: json<FieldChange[]>(r.changes) ?? [],
      errors: json<CellError[]>(r.errors) ?? [],
      excluded: Boolean(r.excluded),
      raw: json<string[]>(r.raw) ?? null,
    });
  }
  return found;
}

/** Returns the numbers of the rows `filter` picks, in row order (for bulk actions). */
export async function selectRowNumbers(
  db: Database,
  runId: string,
  filter: RowFilter,
): Promise<number[]> {
  const info = await describeStagingTable(db.kysely, runId);
  const parts = filteredRows(runId, info, filter, undefined);
  const { rows } = await sql<{ row_number: number }>`
    select row_number from (${sql.join(parts, sql` union all `)}) r order by row_number
  `.execute(db.kysely);
  return rows.map((r) => Number(r.row_number));
}

/**
 * The selects (one per place rows live) of the rows `query` picks, each as `row_number` and
 * `sort_key` (null without a sort).
 */
function filteredRows(
  runId: string,
  info: StagingTableInfo | null,
  query: RowFilter & { fromRow?: number },
  sort: StagedColumn | undefined,
): RawBuilder<unknown>[] {
  const parts: RawBuilder<unknown>[] = [];
  const stagedAction = query.action === undefined || STAGED_ACTIONS.includes(query.action);
  // Staged rows have no errors: a filter by error code picks none of them.
  if (info?.classified && stagedAction && query.code === undefined) {
    const row = sql.ref(`s.${STAGE.row}`);
    const where: RawBuilder<unknown>[] = [];
    if (query.action) where.push(sql`${sql.ref(`s.${STAGE.action}`)} = ${query.action}`);
    if (query.fromRow !== undefined) where.push(sql`${row} >= ${query.fromRow}`);
    if (query.column !== undefined) {
      // Only changed rows have changes, and classification indexes them (`classify.ts`).
      where.push(sql`${sql.ref(`s.${STAGE.action}`)} = 'changed'`);
      where.push(sql`${sql.ref(`s.${STAGE.changes}`)} @> ${columnMatch(query.column)}::jsonb`);
    }
    if (query.q !== undefined) where.push(cellsContain(info.columns, query.q));
    parts.push(sql`
      select ${row} as row_number, ${sort ? sql.ref(`s.${sort.name}`) : sql`null`} as sort_key
      from ${sql.table(stagingTable(runId))} s
      where ${sql.join(where.length ? where : [sql`true`], sql` and `)}
    `);
  }
  if (query.action === undefined || !STAGED_ACTIONS.includes(query.action) || !info?.classified) {
    const where: RawBuilder<unknown>[] = [sql`run_id = ${runId}`];
    if (query.action) where.push(sql`action = ${query.action}`);
    if (query.fromRow !== undefined) where.push(sql`row_number >= ${query.fromRow}`);
    if (query.column !== undefined && query.code !== undefined) {
      where.push(sql`errors @> ${errorMatch({ column: query.column, code: query.code })}::jsonb`);
    } else if (query.column !== undefined) {
      const match = columnMatch(query.column);
      where.push(sql`(errors @> ${match}::jsonb or changes @> ${match}::jsonb)`);
    } else if (query.code !== undefined) {
      where.push(sql`errors @> ${errorMatch({ code: query.code })}::jsonb`);
    }
    if (query.q !== undefined) where.push(containsText(sql`values`, query.q));
    // Invalid rows have no stored value to sort by (their cells failed); deleted rows have the
    // target's.
    const sortKey = sort
      ? sql`case when action = 'deleted'
          then (values ->> ${sort.name})::${sql.raw(sort.stagedType)} end`
      : sql`null`;
    parts.push(sql`
      select row_number, ${sortKey} as sort_key from ingest_rows where ${
      sql.join(where, sql` and `)
    }
    `);
  }
  return parts;
}

function columnMatch(column: string): string {
  return errorMatch({ column });
}

function errorMatch(error: { column?: string; code?: string }): string {
  return JSON.stringify([error]);
}

/**
 * True when a staged cell (as cell text) contains `text`, case-insensitive: one string per row
 * (the cells joined by a separator `text` cannot hold), as building each row's JSON to search it
 * took 20 s per million rows.
 */
function cellsContain(columns: readonly StagedColumn[], text: string): RawBuilder<unknown> {
  if (columns.length === 0) return sql`false`;
  // PostgreSQL functions take at most 100 arguments: chunks joined the same way.
  const chunks: RawBuilder<unknown>[] = [];
  for (let i = 0; i < columns.length; i += 90) {
    const cells = columns.slice(i, i + 90).map((c) => textValue(c, "s"));
    chunks.push(sql`concat_ws(chr(31), ${sql.join(cells)})`);
  }
  // ILIKE rather than strpos: the planner estimates a pattern's selectivity, so a rare text is
  // searched by a (parallel) scan of the table rather than through the row index (1.9 s against
  // 5.3 s per million rows).
  return sql`concat_ws(chr(31), ${sql.join(chunks)}) ilike ${likePattern(text)} escape '\\'`;
}

/** True when a value of the jsonb object `values` contains `text`, case-insensitive. */
function containsText(values: RawBuilder<unknown>, text: string): RawBuilder<unknown> {
  return sql`exists (
    select 1 from jsonb_each_text(coalesce(${values}, '{}'::jsonb)) e
    where e.value ilike ${likePattern(text)} escape '\\'
  )`;
}

/** `%text%` for ILIKE, with the pattern characters in `text` escaped. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, "\\$&")}%`;
}

/** The staging column a sort names; `bad_request` when the run's rows have none of that name. */
function sortColumn(info: StagingTableInfo | null, sort: RowSort): StagedColumn | undefined {
  if (!info) return undefined;
  const column = info.columns.find((c) => c.name === sort.column);
  if (!column) {
    throw new IngestError(
      "bad_request",
      `Cannot sort by "${sort.column}": not a column of the run`,
      {
        parameter: "sort",
        value: sort.column,
      },
    );
  }
  return column;
}

interface Cursor {
  row: number;
  /** The last row's sort key as text (null: it had none); only when sorted. */
  key?: string | null;
}

// A sorted page's cursor holds the last row's value too: "k" + base64url of [key, row].
function sortCursor(key: unknown, row: number): string {
  const text = key === null || key === undefined
    ? null
    : key instanceof Date
    ? key.toISOString()
    : String(key);
  return "k" + btoa(JSON.stringify([text, row])).replaceAll("+", "-").replaceAll("/", "_")
    .replaceAll("=", "");
}

function parseCursor(cursor: string, sorted: boolean): Cursor {
  const bad = () =>
    new IngestError("bad_request", `Invalid cursor "${cursor.slice(0, 100)}"`, { cursor });
  if (!sorted) {
    const n = Number(cursor);
    if (!Number.isSafeInteger(n)) throw bad();
    return { row: n };
  }
  try {
    if (!cursor.startsWith("k")) throw bad();
    const [key, row] = JSON.parse(atob(cursor.slice(1).replaceAll("-", "+").replaceAll("_", "/")));
    if ((key !== null && typeof key !== "string") || !Number.isSafeInteger(row)) throw bad();
    return { row, key };
  } catch {
    throw bad();
  }
}

/** The rows past `after` in the order `sort_key (desc) nulls last, row_number`. */
function afterSortKey(
  after: Cursor,
  column: StagedColumn,
  descending: boolean,
): RawBuilder<unknown> {
  if (after.key === null || after.key === undefined) {
    return sql`(sort_key is null and row_number > ${after.row})`;
  }
  const key = sql`${after.key}::${sql.raw(column.stagedType)}`;
  const past = descending ? sql`sort_key < ${key}` : sql`sort_key > ${key}`;
  return sql`(${past} or (sort_key = ${key} and row_number > ${after.row}) or sort_key is null)`;
}

/**
 * Counts the errors of the run's invalid rows by column and code, largest first; each line has
 * the first such error's message and its row and value.
 */
export async function summarizeErrors(db: Database, runId: string): Promise<ErrorSummaryLine[]> {
  const { rows } = await sql<{
    column: string | null;
    code: string;
    message: string;
    count: number;
    row: number;
    value: string | null;
  }>`
    select e ->> 'column' as column, e ->> 'code' as code, count(*)::int as count,
      (array_agg(e ->> 'message' order by r.row_number))[1] as message,
      min(r.row_number) as row,
      (array_agg(e ->> 'value' order by r.row_number))[1] as value
    from ingest_rows r, jsonb_array_elements(r.errors) e
    where r.run_id = ${runId} and r.action = 'invalid'
    group by 1, 2
    order by count(*) desc, 1 nulls first, 2
  `.execute(db.kysely);
  return rows.map((r) => ({
    column: r.column,
    code: r.code,
    message: r.message,
    count: Number(r.count),
    example: { row: Number(r.row), value: r.value },
  }));
}

/**
 * Marks rows as excluded from the commit (or includes them again), only while the run is
 * `staged` and only rows a commit would write; moves them between the run's counts of what the
 * commit writes and `excluded` in the same transaction. Returns how many rows changed.
 */
export async function markExcluded(
  db: Database,
  runId: string,
  rows: readonly number[],
  excluded: boolean,
): Promise<number> {
  if (rows.length === 0) return 0;
  const classified = (await describeStagingTable(db.kysely, runId))?.classified ?? false;
  return await db.kysely.transaction().execute(async (trx) => {
    // Locked like a fix: a commit waits for the counts, or refuses before them.
    const { rows: runs } = await sql<{ status: string }>`
      select status from ingest_runs where id = ${runId} for update
    `.execute(trx);
    if (runs[0]?.status !== "staged") return 0;
    const moved: Record<ExcludedAction, number> = { new: 0, changed: 0, deleted: 0 };
    const parts: RawBuilder<unknown>[] = [];
    if (classified) {
      parts.push(sql`
        update ${sql.table(stagingTable(runId))} set ${sql.id(STAGE.excluded)} = ${excluded}
        where ${sql.ref(STAGE.row)} in ${intArray(rows)}
          and ${sql.ref(STAGE.action)} in ('new', 'changed')
          and ${sql.ref(STAGE.excluded)} <> ${excluded}
        returning ${sql.ref(STAGE.action)} as action
      `);
    }
    parts.push(sql`
      update ingest_rows set excluded = ${excluded}
      where run_id = ${runId} and row_number in ${intArray(rows)}
        and action = 'deleted' and excluded <> ${excluded}
      returning action
    `);
    for (const part of parts) {
      const { rows: changed } = await sql<{ action: ExcludedAction; n: number }>`
        with u as (${part}) select action, count(*)::int as n from u group by action
      `.execute(trx);
      for (const r of changed) moved[r.action] += Number(r.n);
    }
    const total = moved.new + moved.changed + moved.deleted;
    if (total === 0) return 0;
    const sign = excluded ? -1 : 1;
    await sql`
      update ingest_runs set
        new_count = new_count + ${sign * moved.new},
        changed_count = changed_count + ${sign * moved.changed},
        deleted_count = deleted_count + ${sign * moved.deleted},
        excluded_count = excluded_count - ${sign * total},
        updated_at = now()
      where id = ${runId}
    `.execute(trx);
    return total;
  });
}

type ExcludedAction = keyof ExcludedCounts;

/** Counts a run's excluded rows by action. */
export async function countExcluded(db: Database, runId: string): Promise<ExcludedCounts> {
  const counts = { new: 0, changed: 0, deleted: 0 };
  const parts = [sql`
    select action, count(*)::int as n from ingest_rows
    where run_id = ${runId} and excluded group by action
  `];
  if ((await describeStagingTable(db.kysely, runId))?.classified) {
    parts.push(sql`
      select ${sql.ref(STAGE.action)}, count(*)::int from ${sql.table(stagingTable(runId))}
      where ${sql.ref(STAGE.excluded)} group by 1
    `);
  }
  const result = await sql<{ action: keyof ExcludedCounts; n: number }>`
    ${sql.join(parts, sql` union all `)}
  `.execute(db.kysely);
  for (const r of result.rows) if (r.action in counts) counts[r.action] += Number(r.n);
  return counts;
}
