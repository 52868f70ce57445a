/**
 * Fixing in place: a reviewer's edits to the invalid rows of a staged run, in one transaction.
 * The rows are read from `ingest_rows`, rewritten by the caller's fixer (which edits the cells
 * and validates them again), and then, set-based:
 * - rows still invalid get their new cells and errors;
 * - rows now valid move to the run's typed staging table; one whose key another row of the run
 *   already has goes back as `duplicate_key` (rows already valid keep their place; among fixed
 *   rows the first keeps it), one with an unknown reference as `unknown_reference`; the rest
 *   are classified against the target like the run's other rows (new / changed / unchanged),
 *   and in replace mode a target row they bring back is no longer `deleted`;
 * - every cell edit is recorded in `ingest_row_edits`;
 * - the run's counts are counted again.
 *
 * The run's record is locked first, so a commit (which moves it on from `staged`) waits for the
 * fix or refuses after it, and two fixes of one run take turns.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import { IngestError } from "../../core/errors.ts";
import type {
  CellError,
  FixedRow,
  FixResult,
  InvalidRow,
  RowEdit,
  RowFixer,
  TargetTable,
} from "../../core/ports.ts";
import { markFoundRows } from "./classify.ts";
import { idList, intArray, targetScanGuard } from "./sql_fragments.ts";
import { json, updateRunIf } from "./runs.ts";
import { markRepeatedKeys } from "./duplicate_keys.ts";
import { keyMatch, type StagedColumn } from "./staged_values.ts";
import { countRows } from "./rows.ts";
import { STAGE, stagingTable } from "./stage_tables.ts";
import { markUnknownReferences } from "./unknown_references.ts";

type Db = IntakeDb;

/** Applies `fix` to the run's invalid `rows` (all when null); see the module. */
export async function fixInvalidRows(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
  rows: readonly number[] | null,
  fix: RowFixer,
  actor: string | null,
): Promise<FixResult> {
  const { rows: runs } = await sql<{ status: string }>`
    select status from ingest_runs where id = ${runId} for update
  `.execute(db);
  if (runs.length === 0) {
    throw new IngestError("not_found", `No run with id "${runId}"`, { runId });
  }
  if (runs[0].status !== "staged") {
    throw new IngestError(
      "conflict",
      `Run "${runId}" is ${runs[0].status}: only the rows of a staged run can be fixed`,
      { runId, status: runs[0].status },
    );
  }

  let query = db.selectFrom("ingest_rows").select(["row_number", "line", "raw", "errors"])
    .where("run_id", "=", runId).where("action", "=", "invalid");
  if (rows !== null) {
    if (rows.length === 0) {
      return { updated: [], found: [], counts: await countRows(db, runId, true) };
    }
    query = query.where(sql<boolean>`row_number in ${intArray(rows)}`);
  }
  const invalid: InvalidRow[] = (await query.orderBy("row_number").execute()).map((r) => ({
    row: Number(r.row_number),
    line: Number(r.line),
    raw: json<string[]>(r.raw) ?? [],
    errors: json<CellError[]>(r.errors) ?? [],
  }));

  const valid: Record<string, unknown>[] = [];
  const stillInvalid: Record<string, unknown>[] = [];
  const edits: Record<string, unknown>[] = [];
  const updated: number[] = [];
  // Rows checked again without an edit that passed validation, with their errors before
  // (both read from jsonb: compared as text).
  const rechecked = new Map<number, string>();
  for (const row of invalid) {
    const fixed = fix(row);
    if (!fixed || (fixed.edits.length === 0 && fixed.errors !== null && sameErrors(row, fixed))) {
      continue;
    }
    updated.push(row.row);
    for (const e of fixed.edits) {
      edits.push({ row_number: row.row, column: e.column, old_value: e.old, new_value: e.new });
    }
    if (fixed.errors === null) {
      if (fixed.edits.length === 0) rechecked.set(row.row, JSON.stringify(row.errors));
      valid.push({
        ...fixed.values,
        [STAGE.row]: row.row,
        [STAGE.line]: row.line,
        [STAGE.raw]: JSON.stringify(fixed.raw),
      });
    } else {
      stillInvalid.push({
        row_number: row.row,
        raw: fixed.raw,
        values: fixed.values,
        errors: fixed.errors,
      });
    }
  }

  if (stillInvalid.length) {
    await sql`
      update ingest_rows r set raw = x.raw, values = x.values, errors = x.errors
      from jsonb_to_recordset(${JSON.stringify(stillInvalid)}::jsonb)
        as x(row_number integer, raw jsonb, values jsonb, errors jsonb)
      where r.run_id = ${runId} and r.row_number = x.row_number
    `.execute(db);
  }
  if (valid.length) await moveToStaging(db, runId, target, columns, valid);
  if (rechecked.size) {
    // Its key or reference still fails as before: the row is as it was, not updated.
    const { rows: back } = await sql<{ row_number: number; errors: unknown }>`
      select row_number, errors from ingest_rows
      where run_id = ${runId} and action = 'invalid' and row_number in ${
      intArray([...rechecked.keys()])
    }
    `.execute(db);
    const same = new Set(
      back.filter((r) => JSON.stringify(json(r.errors)) === rechecked.get(Number(r.row_number)))
        .map((r) => Number(r.row_number)),
    );
    if (same.size) updated.splice(0, updated.length, ...updated.filter((r) => !same.has(r)));
  }
  if (edits.length) {
    await sql`
      insert into ingest_row_edits (run_id, row_number, "column", old_value, new_value, actor)
      select ${runId}::uuid, x.row_number, x.column, x.old_value, x.new_value, ${actor}::text
      from jsonb_to_recordset(${JSON.stringify(edits)}::jsonb)
        as x(row_number integer, "column" text, old_value text, new_value text)
    `.execute(db);
  }
  const found = invalid.map((r) => r.row);
  if (updated.length === 0) return { updated, found, counts: await countRows(db, runId, true) };
  const after = await countRows(db, runId, true);
  await updateRunIf(db, runId, ["staged"], { counts: after });
  return { updated, found, counts: after };
}

/** True when a row validated again without edits fails exactly as it did. */
function sameErrors(row: InvalidRow, fixed: FixedRow): boolean {
  return canonical(row.errors) === canonical(fixed.errors);
}

/** JSON with the keys of every object sorted, as jsonb keeps them, so equal errors compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : v,
  );
}

/** Moves rows that passed validation from `ingest_rows` to staging, then checks and classifies them. */
async function moveToStaging(
  db: Db,
  runId: string,
  target: TargetTable,
  columns: readonly StagedColumn[],
  valid: Record<string, unknown>[],
): Promise<void> {
  const staged = sql.table(stagingTable(runId));
  const rowNumbers = valid.map((v) => v[STAGE.row] as number);
  const fixed = intArray(rowNumbers);
  await sql`
    delete from ingest_rows where run_id = ${runId} and row_number in ${fixed}
  `.execute(db);
  const names = [STAGE.row, STAGE.line, STAGE.raw, ...columns.map((c) => c.name)];
  const definitions = [
    sql`${sql.id(STAGE.row)} integer`,
    sql`${sql.id(STAGE.line)} integer`,
    sql`${sql.id(STAGE.raw)} text`,
    ...columns.map((c) => sql`${sql.id(c.name)} ${sql.raw(c.stagedType)}`),
  ];
  await sql`
    insert into ${staged} (${idList(names)}, ${sql.id(STAGE.repeat)})
    select ${idList(names, "x")}, true
    from jsonb_to_recordset(${JSON.stringify(valid)}::jsonb) as x(${sql.join(definitions)})
  `.execute(db);

  await markRepeatedKeys(db, runId, target, columns, rowNumbers);
  await targetScanGuard(true).execute(db);
  if (target.references?.length) await markUnknownReferences(db, runId, target, columns);
  await markFoundRows(db, runId, target, columns, sql`${sql.ref(`s.${STAGE.row}`)} in ${fixed}`);
  if (target.writeMode === "replace") {
    // A fixed row whose key the target has: that target row stays, no longer `deleted`.
    const sameKey = sql.join(
      target.key.map((k) => sql`d.values -> ${k} = to_jsonb(${sql.ref(`t.${k}`)})`),
      sql` and `,
    );
    await sql`
      delete from ingest_rows d using ${sql.table(target.table)} t, ${staged} s
      where d.run_id = ${runId} and d.action = 'deleted'
        and ${sql.ref(`s.${STAGE.row}`)} in ${fixed} and ${keyMatch(target, "t", "s")}
        and ${sameKey}
    `.execute(db);
  }
  await targetScanGuard(false).execute(db);
}

/** The run's recorded cell edits, oldest first. */
export async function selectEdits(db: Db, runId: string): Promise<RowEdit[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select row_number, "column", old_value, new_value, actor, edited_at
    from ingest_row_edits where run_id = ${runId} order by id
  `.execute(db);
  return rows.map((r) => ({
    rowNumber: Number(r.row_number),
    column: String(r.column),
    oldValue: r.old_value as string | null,
    newValue: r.new_value as string | null,
    actor: r.actor as string | null,
    editedAt: new Date(r.edited_at as string | Date).toISOString(),
  }));
}

/** How many cell edits the run has recorded. */
export async function countEdits(db: Db, runId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from ingest_row_edits where run_id = ${runId}
  `.execute(db);
  return Number(rows[0]?.n ?? 0);
}
