import type { ReviewRow } from "../core/ports.ts";
import { formatNumber } from "./format.ts";
import { type ReviewFilter, reviewHref } from "./review_query.ts";

/** Most links to places in the file the pager shows. */
const JUMPS = 10;

/**
 * Where this page is in the review's rows: first and next page links (the cursor keeps the
 * filter and order), and links straight to places in the file (by `fromRow`).
 */
export function RowPager(
  { filter, rows, total, paged, nextCursor, pageSize, lastRow }: {
    filter: ReviewFilter;
    rows: Pick<ReviewRow, "rowNumber">[];
    /** How many rows the view has, when known (not when filtered). */
    total: number | null;
    paged: boolean;
    nextCursor: string | null;
    pageSize: number;
    /** The file's last row number. */
    lastRow: number;
  },
) {
  // Rows a replace-mode commit would delete have negative numbers: they are not file rows.
  const [first, last] = rows.length ? [rows[0].rowNumber, rows[rows.length - 1].rowNumber] : [0, 0];
  const step = Math.max(pageSize, Math.ceil(lastRow / JUMPS / pageSize) * pageSize);
  const jumps: number[] = [];
  for (let row = 2; row <= lastRow && lastRow > pageSize; row += step) jumps.push(row);
  return (
    <nav class="pager" aria-label="Pages of rows">
      <span class="muted">
        {rows.length === 0
          ? "No rows here."
          : `${formatNumber(rows.length)}${
            total === null ? "" : ` of ${formatNumber(total)}`
          } rows`}
        {first > 0 && !filter.sort && ` (file rows ${first}–${last})`}
      </span>
      {(paged || filter.fromRow !== undefined) && (
        <a href={reviewHref({ ...filter, fromRow: undefined })}>First rows</a>
      )}
      {nextCursor && <a href={reviewHref(filter, nextCursor)}>Next {pageSize} rows</a>}
      {jumps.length > 1 && (
        <span class="pager-jumps">
          From row: {jumps.map((row) => (
            <a
              key={row}
              href={reviewHref({ ...filter, fromRow: row })}
              aria-current={filter.fromRow === row && !paged ? "page" : undefined}
            >
              {formatNumber(row)}
            </a>
          ))}
        </span>
      )}
    </nav>
  );
}
