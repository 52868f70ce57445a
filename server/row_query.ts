/**
 * The review's row filters as query parameters, shared by `GET /api/v1/runs/{id}/rows` and the
 * review page so both take the same names (`action`, `column`, `code`, `q`, `fromRow`, `sort`,
 * `cursor`).
 *
 * @module
 */
import { ROW_ACTIONS } from "../core/runs/run.ts";
import type { RowQuery } from "../core/ports.ts";
import { choice, type QueryValues, rowCursor, rowNumber, sortOrder, text } from "./query_params.ts";

/** The filter, order and cursor parameters of a run's rows. */
export const rowFilterQuery = {
  action: choice(ROW_ACTIONS),
  column: text(200),
  code: text(100),
  q: text(200),
  fromRow: rowNumber,
  sort: sortOrder,
  cursor: rowCursor,
};

/** The store's query for parsed {@linkcode rowFilterQuery} values and a page size. */
export function toRowQuery(
  values: QueryValues<typeof rowFilterQuery>,
  limit: number,
): RowQuery {
  return {
    action: values.action,
    column: values.column,
    code: values.code,
    q: values.q,
    fromRow: values.fromRow,
    sort: values.sort,
    cursor: values.cursor,
    limit,
  };
}
