/**
 * Fixing in place: a reviewer edits the cells of a staged run's invalid rows (one row, or many
 * with a bulk operation), and each edited row is validated again with the validator the pipeline
 * compiled for the run's columns. A row that now passes joins the run's valid rows, checked for
 * repeated keys and classified against the target like the others; one that still fails keeps
 * its new errors. Every changed cell is recorded with who changed it. A suggestion the run's
 * failing values made (`suggestions.ts`), once applied, extends its column's options for this
 * run: its invalid rows are validated again with them, and so is every row fixed afterwards.
 *
 * This module is runtime agnostic: the store does the writing, in one transaction.
 *
 * @module
 */
import type { ResolvedUploadType } from "./config/upload_type_schema.ts";
import { IngestError } from "./errors.ts";
import { requireRun } from "./runs/require_run.ts";
import type { Run, RunCounts } from "./runs/run.ts";
import type { HeaderMapping } from "./stages/map_headers/header_match.ts";
import { compileRowValidator } from "./stages/validate.ts";
import { type Suggestion, withSuggestions } from "./suggestions.ts";
import type {
  CellEdit,
  CellValue,
  FixedRow,
  InvalidRow,
  ReviewEditor,
  ReviewReader,
  ReviewRow,
  RowFixer,
  RunLog,
} from "./ports.ts";

/** A bulk fix: set a column to a value, or trim / upper-case cells (one column, or every one). */
export type BulkFix =
  | { op: "set"; column: string; value: string; rows?: readonly number[] }
  | { op: "trim" | "upper"; column?: string; rows?: readonly number[] };

/**
 * The header mapping a run was validated with, rebuilt from its record: the file's headers in
 * order, each either the next ignored header or the next of the run's columns (blank headers at
 * the end were padding).
 */
export function runMapping(type: ResolvedUploadType, run: Run): HeaderMapping {
  const columns: HeaderMapping["columns"] = [];
  const ignored: HeaderMapping["ignored"] = [];
  let width = run.headers.length;
  while (width > 0 && run.headers[width - 1].trim() === "") width--;
  let c = 0;
  let i = 0;
  for (let index = 0; index < width; index++) {
    const header = run.headers[index];
    if (i < run.ignoredColumns.length && header === run.ignoredColumns[i]) {
      ignored.push({ index, header });
      i++;
    } else if (c < run.columns.length) {
      const name = run.columns[c++];
      const column = type.columns.find((col) => col.name === name);
      if (!column) break;
      columns.push({ index, column });
    }
  }
  if (columns.length !== run.columns.length) {
    throw new IngestError(
      "conflict",
      `Run "${run.id}" does not say which file column holds each of its columns`,
      { runId: run.id },
    );
  }
  return { columns, ignored, headerCount: width };
}

/**
 * The row fixer for `run`: `change` gives each column's new cell text (or undefined). Every row
 * it is given is validated again, edited or not.
 */
function fixer(
  type: ResolvedUploadType,
  run: Run,
  change: (column: string, old: string | null) => string | undefined,
): RowFixer {
  // The run's applied suggestions read its cells from now on, for this run only.
  const read = withSuggestions(type, run.suggestions);
  const mapping = runMapping(read, run);
  const validate = compileRowValidator(read, mapping);
  return (row: InvalidRow): FixedRow | null => {
    const raw = [...row.raw];
    const edits: CellEdit[] = [];
    for (const { index, column } of mapping.columns) {
      const old = index < raw.length ? raw[index] : null;
      const now = change(column.name, old);
      if (now === undefined || now === old) continue;
      while (raw.length <= index) raw.push("");
      raw[index] = now;
      edits.push({ column: column.name, old, new: now });
    }
    // A row left as it was is checked again all the same: its references or its key may be
    // fine now (a facility imported since), and saving it is how a reviewer asks.
    const result = validate(raw);
    if (result.ok) return { raw, values: result.values, errors: null, edits };
    const values: Record<string, CellValue> = {};
    for (const { index, column } of mapping.columns) values[column.name] = raw[index] ?? null;
    return { raw, values, errors: result.errors, edits };
  };
}

function requireStaged(run: Run): void {
  if (run.status !== "staged") {
    throw new IngestError(
      "conflict",
      `Run "${run.id}" is ${run.status}: only the rows of a staged run can be fixed`,
      { runId: run.id, status: run.status },
    );
  }
}

function requireColumns(run: Run, columns: readonly string[]): void {
  const unknown = columns.filter((c) => !run.columns.includes(c));
  if (unknown.length) {
    throw new IngestError(
      "bad_request",
      `${unknown.map((c) => JSON.stringify(c)).join(", ")} ${
        unknown.length === 1 ? "is not a column" : "are not columns"
      } of this run's file`,
      { unknown, expected: run.columns },
    );
  }
}

/**
 * Edits cells of one invalid row of a staged run (`cells`: column → new text) by `actor`, and
 * returns the row as the review shows it now. `not_found` for a row the run does not have,
 * `conflict` when the run is not staged or the row is not invalid, `bad_request` for a column
 * the run's file does not have.
 */
export async function editRow(
  store: RunLog & ReviewReader & ReviewEditor,
  type: ResolvedUploadType,
  runId: string,
  rowNumber: number,
  cells: Readonly<Record<string, string>>,
  actor: string | null,
): Promise<{ row: ReviewRow; counts: RunCounts }> {
  const run = await requireRun(store, runId);
  requireStaged(run);
  requireColumns(run, Object.keys(cells));
  const fix = fixer(
    type,
    run,
    (column) => Object.hasOwn(cells, column) ? cells[column] : undefined,
  );
  const result = await store.fixRows(runId, type, run.columns, [rowNumber], fix, actor);
  const row = await store.getRow(runId, rowNumber);
  if (!row) {
    throw new IngestError("not_found", `Run "${runId}" has no row ${rowNumber}`, {
      runId,
      row: rowNumber,
    });
  }
  if (result.found.length === 0) {
    throw new IngestError(
      "conflict",
      `Row ${rowNumber} is ${row.action}: only invalid rows can be edited`,
      { runId, row: rowNumber, action: row.action },
    );
  }
  return { row, counts: result.counts };
}

/**
 * Applies a bulk fix to the given invalid rows of a staged run (every invalid row when `rows` is
 * absent); returns how many rows changed and the run's counts.
 */
export async function applyBulkFix(
  store: RunLog & ReviewReader & ReviewEditor,
  type: ResolvedUploadType,
  runId: string,
  bulk: BulkFix,
  actor: string | null,
): Promise<{ updated: number; counts: RunCounts }> {
  const run = await requireRun(store, runId);
  requireStaged(run);
  if (bulk.column !== undefined) requireColumns(run, [bulk.column]);
  const applies = (column: string) => bulk.column === undefined || bulk.column === column;
  const change = (column: string, old: string | null): string | undefined => {
    if (!applies(column)) return undefined;
    // A cell a short record does not have is only ever set.
    if (old === null && bulk.op !== "set") return undefined;
    switch (bulk.op) {
      case "set":
        return bulk.value;
      case "trim":
        return old!.trim();
      case "upper":
        return old!.toUpperCase();
    }
  };
  const fix = fixer(type, run, change);
  const result = await store.fixRows(runId, type, run.columns, bulk.rows ?? null, fix, actor);
  return { updated: result.updated.length, counts: result.counts };
}

/**
 * Applies suggestion `id` of a staged run (`core/suggestions.ts`) by `actor`: marks it applied
 * and validates every invalid row again with its column's options extended by it. `not_found`
 * for a suggestion the run does not have, `conflict` when the run is not staged.
 */
export async function applySuggestion(
  store: RunLog & ReviewReader & ReviewEditor,
  type: ResolvedUploadType,
  runId: string,
  id: number,
  actor: string | null,
): Promise<{ suggestion: Suggestion; updated: number; counts: RunCounts }> {
  const run = await requireRun(store, runId);
  requireStaged(run);
  const found = run.suggestions.find((s) => s.id === id);
  if (!found) {
    throw new IngestError("not_found", `Run "${runId}" has no suggestion ${id}`, {
      runId,
      suggestion: id,
      suggestions: run.suggestions.map((s) => s.id),
    });
  }
  const suggestions = run.suggestions.map((s) => s.id === id ? { ...s, applied: true } : s);
  const marked = await store.updateRun(runId, ["staged"], { suggestions });
  const fix = fixer(type, marked, () => undefined);
  const result = await store.fixRows(runId, type, run.columns, null, fix, actor);
  return {
    suggestion: { ...found, applied: true },
    updated: result.updated.length,
    counts: result.counts,
  };
}
