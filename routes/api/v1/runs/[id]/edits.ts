import type { Handlers } from "$fresh/server.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";

/** `GET /api/v1/runs/{id}/edits`: every cell fixed in place in the run, oldest first. */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    return Response.json({ edits: await store.listEdits(run.id) });
  },
};
