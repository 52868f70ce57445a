import type { ErrorSummaryLine } from "../core/ports.ts";
import { formatNumber } from "./format.ts";
import { type ReviewFilter, reviewHref } from "./review_query.ts";

/**
 * The run's errors counted by column and code above the review's grid; each line links to the
 * rows it counts (the same filter as `?column=&code=`).
 */
export function ErrorSummary(
  { lines, filter }: { lines: ErrorSummaryLine[]; filter: ReviewFilter },
) {
  if (lines.length === 0) return null;
  return (
    <section class="error-summary" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">Errors</h2>
      <ul>
        {lines.map((line) => {
          const current = filter.column === (line.column ?? undefined) &&
            filter.code === line.code;
          const href = reviewHref({
            action: "invalid",
            column: line.column ?? undefined,
            code: line.code,
          });
          return (
            <li key={`${line.column}:${line.code}`}>
              <a href={href} aria-current={current ? "true" : undefined}>
                {formatNumber(line.count)} {line.count === 1 ? "row" : "rows"}:{" "}
                {line.column && <strong>{line.column}</strong>} {line.message}
              </a>{" "}
              <span class="muted">
                (e.g. row {line.example.row}
                {line.example.value !== null && `: ${JSON.stringify(line.example.value)}`})
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
