import type { Handlers } from "$fresh/server.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";

/**
 * `GET /api/v1/runs/{id}/error-summary`: the errors of the run's invalid rows counted by column
 * and code, largest first: `{"errors": [{column, code, message, count, example: {row, value}}]}`.
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    return Response.json({ errors: await store.errorSummary(run.id) });
  },
};
