/**
 * Rows as the review shows them (the page and `GET /api/v1/runs/{id}/rows`): each valid cell
 * whose stored value differs from what the file had says what was written (`Jan 1 2000` stored
 * as `2000-01-01`), and each error a suggestion of the run would read carries it.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { CellFailure, compileCellRule } from "../config/cell_rules.ts";
import type { ResolvedUploadType } from "../config/upload_type_schema.ts";
import { runMapping } from "../fixes.ts";
import type { CellError, ReviewRow } from "../ports.ts";
import { type Suggestion, withOptions } from "../suggestions.ts";
import type { Run } from "./run.ts";

/** A row of the review: the stored row, what was written where it differs, and suggestions. */
export interface ShownRow extends Omit<ReviewRow, "raw" | "errors"> {
  /** Column → the cell as the file had it, for the cells whose stored value differs. */
  written: Record<string, string>;
  errors: Array<CellError & { suggestion?: Suggestion }>;
}

/** Turns the store's review rows of `run` into the rows the review shows. */
export function showRows(
  type: ResolvedUploadType,
  run: Run,
  rows: readonly ReviewRow[],
): ShownRow[] {
  const mapping = rows.some((r) => r.raw) ? runMapping(type, run) : null;
  const open = run.suggestions.filter((s) => !s.applied);
  const readers = open.flatMap((s) => {
    const column = type.columns.find((c) => c.name === s.column);
    return column ? [{ suggestion: s, read: compileCellRule(withOptions(column, s)) }] : [];
  });
  return rows.map(({ raw, errors, ...row }) => {
    const written: Record<string, string> = {};
    if (raw && mapping) {
      for (const { index, column } of mapping.columns) {
        const cell = raw[index] ?? "";
        const stored = row.values[column.name];
        const same = stored === null || stored === undefined
          ? cell.trim() === ""
          : cell.trim() === String(stored);
        if (!same) written[column.name] = cell;
      }
    }
    return {
      ...row,
      written,
      errors: errors.map((e) => {
        if (e.code !== "type" || e.value === null) return e;
        const fits = readers.find((r) =>
          r.suggestion.column === e.column && !(r.read(e.value!) instanceof CellFailure)
        );
        return fits ? { ...e, suggestion: fits.suggestion } : e;
      }),
    };
  });
}
