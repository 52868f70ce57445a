import type { ErrorSummaryLine } from "../core/ports.ts";
import { type ReviewFilter, reviewHref, sortParam } from "./review_query.ts";

/**
 * The review's filters as a GET form (so the URL holds them and it works without JavaScript):
 * a column, an error code, text in any cell, an order, and a jump to a file row.
 */
export function RowFilterBar(
  { filter, columns, summary }: {
    filter: ReviewFilter;
    columns: string[];
    summary: ErrorSummaryLine[];
  },
) {
  const codes = [...new Set(summary.map((line) => line.code))];
  if (filter.code && !codes.includes(filter.code)) codes.push(filter.code);
  const sort = sortParam(filter.sort) ?? "";
  const filtered = filter.column !== undefined || filter.code !== undefined ||
    filter.q !== undefined || filter.sort !== undefined || filter.fromRow !== undefined;
  return (
    <form method="get" class="row-filters" role="search" aria-label="Filter rows">
      {filter.action && <input type="hidden" name="action" value={filter.action} />}
      <label>
        Column{" "}
        <select name="column">
          <option value="">any</option>
          {columns.map((c) => <option key={c} value={c} selected={filter.column === c}>{c}
          </option>)}
        </select>
      </label>
      <label>
        Error{" "}
        <select name="code">
          <option value="">any</option>
          {codes.map((c) => <option key={c} value={c} selected={filter.code === c}>{c}</option>)}
        </select>
      </label>
      <label>
        Containing <input type="search" name="q" value={filter.q ?? ""} maxLength={200} size={14} />
      </label>
      <label>
        Sort by{" "}
        <select name="sort">
          <option value="">row</option>
          {columns.flatMap((c) => [
            <option key={c} value={c} selected={sort === c}>{c} ↑</option>,
            <option key={`-${c}`} value={`-${c}`} selected={sort === `-${c}`}>{c} ↓</option>,
          ])}
        </select>
      </label>
      <label>
        From row{" "}
        <input
          type="number"
          name="fromRow"
          min={1}
          value={filter.fromRow ?? ""}
          inputMode="numeric"
          size={7}
        />
      </label>
      <button type="submit">Show</button>
      {filtered && <a href={reviewHref({ action: filter.action })}>Clear filters</a>}
    </form>
  );
}
