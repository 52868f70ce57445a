/**
 * The review's row filters checked against the run they filter: a column must be one of the
 * run's, so a typo is a `bad_request` rather than an empty page.
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import type { Run } from "./run.ts";
import type { RowFilter, RowQuery, Store } from "../ports.ts";

/**
 * Checks that the columns `query` names (its `column`, its sort's) are the run's columns;
 * `prefix` names where the filter came from in the error (`filter.` for a request body).
 *
 * @throws {IngestError} `bad_request` naming the parameter
 */
export function checkRowQuery(
  run: Pick<Run, "columns">,
  query: Pick<RowQuery, "column" | "sort">,
  prefix = "",
): void {
  const check = (parameter: string, column: string | undefined) => {
    if (column === undefined || run.columns.includes(column)) return;
    throw new IngestError(
      "bad_request",
      `Invalid ${prefix}${parameter} ${JSON.stringify(column)}: not a column of this run (${
        run.columns.join(", ")
      })`,
      { parameter: prefix + parameter, value: column, columns: run.columns },
    );
  };
  check("column", query.column);
  check("sort", query.sort?.column);
}

/** The numbers of the run's rows `filter` picks (checked first), for a bulk action. */
export async function rowsMatching(
  store: Pick<Store, "listRowNumbers">,
  run: Pick<Run, "id" | "columns">,
  filter: RowFilter,
): Promise<number[]> {
  checkRowQuery(run, filter, "filter.");
  return await store.listRowNumbers(run.id, filter);
}
