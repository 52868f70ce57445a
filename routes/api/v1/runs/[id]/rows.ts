import type { Handlers } from "$fresh/server.ts";
import { ROW_ACTIONS } from "../../../../../core/runs/run.ts";
import { showRows } from "../../../../../core/runs/review_rows.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import { choice, limit, readQuery, rowCursor } from "../../../../../server/query_params.ts";
import type { AppState } from "../../../../../server/services.ts";

/** The query parameters this route reads. */
export const query = { action: choice(ROW_ACTIONS), limit: limit(1000), cursor: rowCursor };

/**
 * `GET /api/v1/runs/{id}/rows?action=&limit=&cursor=`: staged rows with diffs and errors (a
 * committed run's: what it applied, until `rowsPurgedAt`), what the file had where a stored
 * value differs (`written`), and the run's suggestion on each error it would read.
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const q = readQuery(ctx.url, query);
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    const page = await store.listRows(run.id, {
      action: q.action,
      limit: q.limit ?? 100,
      cursor: q.cursor,
    });
    // Past retention a committed run's applied rows are gone; the answer says so.
    return Response.json({
      rows: showRows(uploadTypes.get(run.uploadType), run, page.items),
      nextCursor: page.nextCursor,
      rowsPurgedAt: run.rowsPurgedAt,
    });
  },
};
