import type { Handlers } from "$fresh/server.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";

/** `GET /api/v1/runs/{id}`: one run with its status, counts, progress and error. */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    return Response.json(await requireVisibleRun(ctx.state, ctx.params.id));
  },
};
