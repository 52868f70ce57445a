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
  ExcludedCounts,
  FieldChange,
  Page,
  ReviewRow,
  RowQuery,
} from "../../core/ports.ts";
import { json } from "./runs.ts";
import { intArray } from "./sql_fragments.ts";
import { valuesObject } from "./staged_values.ts";
import { describeStagingTable, STAGE, stagingTable } from "./stage_tables.ts";

const STAGED_ACTIONS: readonly RowAction[] = ["new", "changed", "unchanged"];

/** Returns one page of a run's rows, in row order, optionally of one action. */
export async function selectRows(
  db: Database,
  runId: string,
  query: RowQuery,
): Promise<Page<ReviewRow>> {
  const after = query.cursor === undefined ? null : parseCursor(query.cursor);
  const limit = query.limit + 1;
  const info = await describeStagingTable(db.kysely, runId);
  const parts: RawBuilder<unknown>[] = [];
  const stagedAction = query.action === undefined || STAGED_ACTIONS.includes(query.action);
  if (info?.classified && stagedAction) {
    const row = sql.ref(`s.${STAGE.row}`);
    parts.push(sql`(
      select ${row} as row_number, ${sql.ref(`s.${STAGE.line}`)} as line,
        ${sql.ref(`s.${STAGE.action}`)} as action, ${valuesObject(info.columns, "s")} as values,
        ${sql.ref(`s.${STAGE.changes}`)} as changes, null::jsonb as errors,
        ${sql.ref(`s.${STAGE.excluded}`)} as excluded, ${sql.ref(`s.${STAGE.raw}`)}::jsonb as raw
      from ${sql.table(stagingTable(runId))} s
      where true
        ${query.action ? sql`and ${sql.ref(`s.${STAGE.action}`)} = ${query.action}` : sql``}
        ${after === null ? sql`` : sql`and ${row} > ${after}`}
      order by ${row} limit ${limit}
    )`);
  }
  if (query.action === undefined || !STAGED_ACTIONS.includes(query.action) || !info?.classified) {
    parts.push(sql`(
      select row_number, line, action, values, changes, errors, excluded, null::jsonb as raw
      from ingest_rows
      where run_id = ${runId}
        ${query.action ? sql`and action = ${query.action}` : sql``}
        ${after === null ? sql`` : sql`and row_number > ${after}`}
      order by row_number limit ${limit}
    )`);
  }
  const { rows } = await sql<Record<string, unknown>>`
    select row_number, line, action, values, changes, errors, excluded, raw
    from (${sql.join(parts, sql` union all `)}) r
    order by row_number limit ${limit}
  `.execute(db.kysely);
  const items = rows.slice(0, query.limit).map((r) => ({
    rowNumber: Number(r.row_number),
    line: r.line === null ? null : Number(r.line),
    action: r.action as RowAction,
    values: json<Record<string, unknown>>(r.values) ?? {},
    changes: json<FieldChange[]>(r.changes) ?? [],
    errors: json<CellError[]>(r.errors) ?? [],
    excluded: Boolean(r.excluded),
    raw: json<string[]>(r.raw) ?? null,
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
