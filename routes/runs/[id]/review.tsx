import type { Handlers, PageProps } from "$fresh/server.ts";
import { toIngestError } from "../../../core/errors.ts";
import { applyBulkFix, applySuggestion, type BulkFix, editRow } from "../../../core/fixes.ts";
import { type ShownRow, showRows } from "../../../core/runs/review_rows.ts";
import { Suggestions } from "../../../components/suggestions.tsx";
import { commitRun } from "../../../core/stages/commit.ts";
import { discardRun, refreshRun, setExcluded } from "../../../core/runs/review.ts";
import { rememberMapping } from "../../../core/saved_mapping.ts";
import { isChosenMapping, MappingUsed } from "../../../components/mapping_used.tsx";
import { committer } from "../../../server/auth/committer.ts";
import { ROW_ACTIONS, type RowAction, type Run, type RunError } from "../../../core/runs/run.ts";
import type { ErrorSummaryLine, ExcludedCounts, Store } from "../../../core/ports.ts";
import { CsrfField } from "../../../components/csrf_field.tsx";
import { formatNumber, formatValue } from "../../../components/format.ts";
import { RunErrorPanel } from "../../../components/run_error.tsx";
import { StatusBadge } from "../../../components/status_badge.tsx";
import ReviewActions from "../../../islands/ReviewActions.tsx";
import { requirePermission, requireVisibleRun } from "../../../server/auth/guards.ts";
import { can } from "../../../server/auth/principal.ts";
import { STATUS_OF } from "../../../server/http_errors.ts";
import { readQuery } from "../../../server/query_params.ts";
import { rowFilterQuery, toRowQuery } from "../../../server/row_query.ts";
import { checkRowQuery } from "../../../core/runs/row_filter.ts";
import { ErrorSummary } from "../../../components/error_summary.tsx";
import { RowFilterBar } from "../../../components/row_filter_bar.tsx";
import { RowPager } from "../../../components/row_pager.tsx";
import { type ReviewFilter, reviewHref } from "../../../components/review_query.ts";
import { readFormBody } from "../../../server/form_body.ts";
import type { AppState } from "../../../server/services.ts";

const PAGE_SIZE = 100;

/** The query parameters this page reads. */
export const query = rowFilterQuery;

interface Review {
  run: Run;
  action: RowAction | null;
  /** The filters and order of the rows shown (the URL's). */
  filter: ReviewFilter;
  /** The run's errors by column and code. */
  summary: ErrorSummaryLine[];
  rows: ShownRow[];
  nextCursor: string | null;
  columns: string[];
  /** Column name → its label in the upload type (a column the type no longer has: its name). */
  labels: Record<string, string>;
  excluded: ExcludedCounts;
  /** True past the first page. */
  paged: boolean;
  error?: RunError;
  /** The principal may commit, discard, refresh and change exclusions. */
  canReview: boolean;
  /** The session's anti-CSRF token for the forms, when signed in with a cookie. */
  csrfToken: string | null;
}

async function load(
  ctx: { state: AppState; params: Record<string, string>; url: URL },
  error?: RunError,
): Promise<Review> {
  const { store, uploadTypes } = ctx.state.services;
  const q = readQuery(ctx.url, query);
  const run = await requireVisibleRun(ctx.state, ctx.params.id);
  const labels = Object.fromEntries(
    uploadTypes.get(run.uploadType).columns.map((c) => [c.name, c.label]),
  );
  const action = q.action ?? null;
  const { limit: _, cursor: __, ...filter } = toRowQuery(q, PAGE_SIZE);
  checkRowQuery(run, filter);
  const page = await store.listRows(run.id, toRowQuery(q, PAGE_SIZE));
  return {
    run,
    action,
    filter,
    summary: run.counts.invalid > 0 ? await store.errorSummary(run.id) : [],
    rows: showRows(uploadTypes.get(run.uploadType), run, page.items),
    nextCursor: page.nextCursor,
    columns: run.columns,
    labels,
    excluded: await store.countExcluded(run.id),
    paged: q.cursor !== undefined,
    error,
    canReview: ctx.state.principal !== null && can(ctx.state.principal, "review"),
    csrfToken: ctx.state.principal?.csrfToken ?? null,
  };
}

/**
 * Shows staged rows page by page; POST commits (minus excluded rows), discards, refreshes or
 * (`intent=fix`, `row`, `cell:<column>` fields) fixes an invalid row in place; `intent=bulk`
 * (`op`, `column`, `value`) applies a bulk fix to every invalid row; `intent=suggestion`
 * (`suggestion`) applies one of the run's suggestions to it.
 */
export const handler: Handlers<Review, AppState> = {
  async GET(_req, ctx) {
    return ctx.render(await load(ctx));
  },
  async POST(req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    const type = uploadTypes.get(run.uploadType);
    const form = await readFormBody(req);
    const intent = form.get("intent");
    try {
      const principal = requirePermission(ctx.state, "review");
      if (intent === "fix") {
        const cells: Record<string, string> = {};
        for (const [name, value] of form.entries()) {
          if (name.startsWith("cell:") && typeof value === "string") cells[name.slice(5)] = value;
        }
        const row = Number(form.get("row"));
        await editRow(store, type, run.id, row, cells, principal.name);
        return new Response(null, { status: 303, headers: { location: ctx.url.href } });
      }
      if (intent === "bulk") {
        const op = String(form.get("op"));
        const column = String(form.get("column") ?? "") || undefined;
        const bulk: BulkFix = op === "set"
          ? { op, column: column ?? "", value: String(form.get("value") ?? "") }
          : { op: op === "upper" ? "upper" : "trim", column };
        await applyBulkFix(store, type, run.id, bulk, principal.name);
        return new Response(null, { status: 303, headers: { location: ctx.url.href } });
      }
      if (intent === "suggestion") {
        await applySuggestion(store, type, run.id, Number(form.get("suggestion")), principal.name);
        return new Response(null, { status: 303, headers: { location: ctx.url.href } });
      }
      if (intent === "commit" || intent === "select") await saveTicks(store, run.id, form);
      if (intent === "select") {
        return new Response(null, { status: 303, headers: { location: ctx.url.href } });
      }
      if (intent === "commit") {
        const committed = await commitRun(store, type, run.id);
        await rememberMapping(store, type, committed, committer(principal)).catch(() => {});
      } else if (intent === "discard") {
        await discardRun(store, type, run.id);
      } else if (intent === "refresh") {
        await refreshRun(store, type, run.id);
        return new Response(null, { status: 303, headers: { location: ctx.url.pathname } });
      }
      return new Response(null, { status: 303, headers: { location: `/runs/${run.id}` } });
    } catch (err) {
      const error = toIngestError(err).toJSON();
      return ctx.render(await load(ctx, error), { status: STATUS_OF[error.type] });
    }
  },
};

/** Saves the page's checkboxes: ticked rows are excluded, unticked rows of the page included. */
async function saveTicks(store: Store, runId: string, form: FormData): Promise<void> {
  const numbers = (name: string) => form.getAll(name).map(Number).filter(Number.isInteger);
  const ticked = new Set(numbers("exclude"));
  const shown = numbers("shown");
  await setExcluded(store, runId, [...ticked], true);
  await setExcluded(store, runId, shown.filter((row) => !ticked.has(row)), false);
}

/** `/runs/[id]/review`: new / changed / unchanged / invalid rows with diffs and cell errors. */
export default function ReviewPage({ data }: PageProps<Review>) {
  const { run, rows, columns, action } = data;
  const label = (c: string) => data.labels[c] ?? c;
  const staged = run.status === "staged";
  return (
    <>
      <p class="breadcrumb">
        <a href="/runs">Runs</a> / <a href={`/runs/${run.id}`}>{run.fileName ?? run.id}</a> / Review
      </p>
      <h1>
        Review {run.fileName ?? "upload"} <StatusBadge status={run.status} />
      </h1>
      {data.error && <RunErrorPanel error={data.error} />}
      {!staged && run.rowsPurgedAt && (
        <p class="muted">
          This run's rows were dropped on {run.rowsPurgedAt.slice(0, 10)}{" "}
          (the retention of committed runs' rows); its counts and invalid rows remain.
        </p>
      )}
      {!staged && !run.rowsPurgedAt && (run.status === "committed" || run.status === "reverted") &&
        (
          <p class="muted">
            Committed: the rows as reviewed, read-only; ticked rows were left out of the commit.
          </p>
        )}
      {data.error?.type === "stale_review" && data.canReview && (
        <form method="post">
          <CsrfField token={data.csrfToken} />
          <p>
            Rows {(data.error.details.rows as number[]).join(", ")}{" "}
            changed in the table since this file was staged.
          </p>
          <button type="submit" name="intent" value="refresh">Refresh the review</button>
        </form>
      )}
      {isChosenMapping(run.mapping) && <MappingUsed mapping={run.mapping} />}
      <Suggestions
        suggestions={run.suggestions}
        canApply={staged && data.canReview}
        csrfToken={data.csrfToken}
      />
      <nav class="tabs" aria-label="Rows by outcome">
        <a
          href={reviewHref({ ...data.filter, action: undefined, fromRow: undefined })}
          aria-current={action === null ? "page" : undefined}
        >
          All ({formatNumber(run.counts.rows)})
        </a>
        {ROW_ACTIONS.filter((a) => a !== "deleted" || run.counts.deleted > 0).map((a) => (
          <a
            key={a}
            href={reviewHref({ ...data.filter, action: a, fromRow: undefined })}
            aria-current={action === a ? "page" : undefined}
          >
            {a} ({formatNumber(listed(run, data.excluded, a))})
          </a>
        ))}
      </nav>
      {staged && data.canReview && run.counts.invalid > 0 && (
        <form method="post" class="bulk-fix" aria-label="Fix every invalid row">
          <CsrfField token={data.csrfToken} />
          <label>
            Fix every invalid row:{" "}
            <select name="op">
              <option value="trim">trim spaces</option>
              <option value="upper">upper-case</option>
              <option value="set">set to</option>
            </select>
          </label>{" "}
          <input type="text" name="value" aria-label="Value to set" placeholder="value (set to)" />
          {" "}
          <label>
            in{" "}
            <select name="column">
              <option value="">every column</option>
              {columns.map((c) => <option key={c} value={c}>{label(c)}</option>)}
            </select>
          </label>{" "}
          <button type="submit" name="intent" value="bulk">Apply</button>
        </form>
      )}
      <ErrorSummary lines={data.summary} filter={data.filter} />
      <RowFilterBar filter={data.filter} columns={columns} summary={data.summary} />
      <form method="post" id="review">
        <CsrfField token={data.csrfToken} />
        {/* The grid scrolls in its own box, both ways, so the page never does sideways. */}
        <div class="table-wrap grid" tabIndex={0} role="region" aria-label="Staged rows">
          <table class="review">
            <thead>
              <tr>
                <th scope="col">Exclude</th>
                <th scope="col" class="num">Row</th>
                <th scope="col" class="outcome">Outcome</th>
                {columns.map((c) => <th key={c} scope="col" title={c}>{label(c)}</th>)}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <ReviewLine
                  key={row.rowNumber}
                  row={row}
                  columns={columns}
                  label={label}
                  readOnly={!staged || !data.canReview}
                  editable={staged && data.canReview}
                />
              ))}
            </tbody>
          </table>
        </div>
        <RowPager
          filter={data.filter}
          rows={rows}
          total={isNarrowed(data.filter)
            ? null
            : action
            ? listed(run, data.excluded, action)
            : run.counts.rows + run.counts.deleted + data.excluded.deleted}
          paged={data.paged}
          nextCursor={data.nextCursor}
          pageSize={PAGE_SIZE}
          lastRow={run.counts.rows + 1}
        />
        {staged && data.canReview && (
          <ReviewActions
            runId={run.id}
            formId="review"
            counts={{
              ...run.counts,
              new: listed(run, data.excluded, "new"),
              changed: listed(run, data.excluded, "changed"),
              deleted: listed(run, data.excluded, "deleted"),
            }}
            excluded={data.excluded}
          />
        )}
      </form>
      {/* One small form per editable row: its inputs sit in the table, tied by `form=`. */}
      {staged && data.canReview &&
        rows.filter(isEditable).map((row) => (
          <form key={row.rowNumber} method="post" id={`fix-${row.rowNumber}`}>
            <CsrfField token={data.csrfToken} />
            <input type="hidden" name="row" value={row.rowNumber} />
          </form>
        ))}
    </>
  );
}

/**
 * How many rows a tab lists: the run counts rows left out of the commit as `excluded`, while the
 * rows keep their action (ticked) in the list.
 */
function listed(run: Run, excluded: ExcludedCounts, action: RowAction): number {
  return run.counts[action] + (action in excluded ? excluded[action as keyof ExcludedCounts] : 0);
}

/** An invalid row with at least one cell error a reviewer can fix in place. */
function isEditable(row: ShownRow): boolean {
  return row.action === "invalid" && row.errors.some((e) => e.column !== null);
}

function ReviewLine(
  { row, columns, label, readOnly, editable }: {
    row: ShownRow;
    columns: string[];
    label: (column: string) => string;
    readOnly: boolean;
    editable: boolean;
  },
) {
  const changes = new Map(row.changes.map((c) => [c.column, c]));
  const errors = new Map(row.errors.map((e) => [e.column, e]));
  const rowError = row.errors.find((e) => e.column === null || !columns.includes(e.column));
  const fixable = editable && isEditable(row);
  return (
    <tr class={`row-${row.action}`}>
      <td>
        {row.action !== "unchanged" && row.action !== "invalid" && (
          <>
            <input type="hidden" name="shown" value={row.rowNumber} />
            <input
              type="checkbox"
              name="exclude"
              value={row.rowNumber}
              aria-label={`Exclude row ${row.rowNumber}`}
              checked={row.excluded}
              disabled={readOnly}
            />
          </>
        )}
      </td>
      <td class="num">{row.rowNumber > 0 ? row.rowNumber : "—"}</td>
      <td class="outcome">
        <span class={`badge badge-${row.action}`}>{row.action}</span>
        {rowError && <div class="cell-error">{rowError.message}</div>}
        {fixable && (
          <button type="submit" form={`fix-${row.rowNumber}`} name="intent" value="fix">
            Save fix
          </button>
        )}
      </td>
      {columns.map((c) => {
        const change = changes.get(c);
        const error = errors.get(c);
        if (change) {
          return (
            <td key={c} class="cell-changed">
              <del>{formatValue(change.old)}</del> → <ins>{formatValue(change.new)}</ins>
            </td>
          );
        }
        return (
          <td key={c} class={error ? "cell-invalid" : undefined}>
            {fixable && error
              ? (
                <input
                  type="text"
                  name={`cell:${c}`}
                  form={`fix-${row.rowNumber}`}
                  value={error.value ?? String(row.values[c] ?? "")}
                  aria-label={`Row ${row.rowNumber}, ${label(c)}`}
                />
              )
              : c in row.written
              ? (
                <>
                  <span class="written" title="As written in the file">{row.written[c]}</span>
                  {" → "}
                  {formatValue(row.values[c])}
                </>
              )
              : formatValue(row.values[c])}
            {error && <div class="cell-error">{error.message}</div>}
          </td>
        );
      })}
    </tr>
  );
}

/** True when the view picks rows beyond its tab, so the tab's count is not its size. */
function isNarrowed(filter: ReviewFilter): boolean {
  return filter.column !== undefined || filter.code !== undefined || filter.q !== undefined ||
    filter.fromRow !== undefined;
}
