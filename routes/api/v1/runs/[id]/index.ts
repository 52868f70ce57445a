import type { Handlers } from "$fresh/server.ts";
import { requireRun } from "../../../../../core/lifecycle.ts";
import type { AppState } from "../../../../../server/services.ts";

/** `GET /api/v1/runs/{id}`: one run with its status, counts, progress and error. */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    return Response.json(await requireRun(ctx.state.services.store, ctx.params.id));
  },
};
