/**
 * The review page's URL for a filter: the filter bar, the error summary, the tabs and the pager
 * all link with the same parameters the rows API takes, so a filtered page is a URL.
 *
 * @module
 */
import type { RowQuery } from "../core/ports.ts";

/** What the review shows: its filters and order, without the page size. */
export type ReviewFilter = Omit<RowQuery, "limit" | "cursor">;

/** The `sort` parameter of a sort: the column, with a `-` first when descending. */
export function sortParam(sort: RowQuery["sort"]): string | undefined {
  return sort && `${sort.descending ? "-" : ""}${sort.column}`;
}

/**
 * The review's relative URL for `filter` (a `cursor` when given); `review` itself, the page's
 * own path, when nothing is set.
 */
export function reviewHref(filter: ReviewFilter, cursor?: string): string {
  const params = new URLSearchParams();
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined && value !== "") params.set(name, String(value));
  };
  set("action", filter.action);
  set("column", filter.column);
  set("code", filter.code);
  set("q", filter.q);
  set("sort", sortParam(filter.sort));
  set("fromRow", filter.fromRow);
  set("cursor", cursor);
  return params.size ? `?${params}` : "review";
}
