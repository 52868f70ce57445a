import type { Handlers } from "$fresh/server.ts";
import { refreshRun, requireRun } from "../../../../../core/lifecycle.ts";
import type { AppState } from "../../../../../server/services.ts";

/** `POST /api/v1/runs/{id}/refresh`: classifies the staged rows again against the target as it is now. */
export const handler: Handlers<unknown, AppState> = {
  async POST(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const run = await requireRun(store, ctx.params.id);
    return Response.json(await refreshRun(store, uploadTypes.get(run.uploadType), run.id));
  },
};
