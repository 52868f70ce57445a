import type { Handlers } from "$fresh/server.ts";
import { ROW_ACTIONS } from "../../../../../core/runs/run.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import { choice, limit, readQuery, rowCursor } from "../../../../../server/query_params.ts";
import type { AppState } from "../../../../../server/services.ts";

/** The query parameters this route reads. */
export const query = { action: choice(ROW_ACTIONS), limit: limit(1000), cursor: rowCursor };

/**
 * `GET /api/v1/runs/{id}/rows?action=&limit=&cursor=`: staged rows with diffs and errors (a
 * committed run's: what it applied, until `rowsPurgedAt`).
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store } = ctx.state.services;
    const q = readQuery(ctx.url, query);
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    const page = await store.listRows(run.id, {
      action: q.action,
      limit: q.limit ?? 100,
      cursor: q.cursor,
    });
    // Past retention a committed run's applied rows are gone; the answer says so.
    return Response.json({
      rows: page.items,
      nextCursor: page.nextCursor,
      rowsPurgedAt: run.rowsPurgedAt,
    });
  },
};
