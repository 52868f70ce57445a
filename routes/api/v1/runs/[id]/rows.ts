import type { Handlers } from "$fresh/server.ts";
import { readChoice, readLimit } from "../../../../../server/api.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";

const ACTIONS = ["new", "changed", "unchanged", "invalid", "deleted"] as const;

/**
 * `GET /api/v1/runs/{id}/rows?action=&limit=&cursor=`: staged rows with diffs and errors (a
 * committed run's: what it applied, until `rowsPurgedAt`).
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(req, ctx) {
    const url = new URL(req.url);
    const { store } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    const page = await store.listRows(run.id, {
      action: readChoice(url, "action", ACTIONS),
      limit: readLimit(url, 100, 1000),
      cursor: url.searchParams.get("cursor") || undefined,
    });
    // Past retention a committed run's applied rows are gone; the answer says so.
    return Response.json({
      rows: page.items,
      nextCursor: page.nextCursor,
      rowsPurgedAt: run.rowsPurgedAt,
    });
  },
};
