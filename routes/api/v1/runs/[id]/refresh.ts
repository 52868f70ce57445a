import type { Handlers } from "$fresh/server.ts";
import { refreshRun } from "../../../../../core/runs/review.ts";
import { requireRunAction } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";

/** `POST /api/v1/runs/{id}/refresh`: classifies the staged rows again against the target as it is now. */
export const handler: Handlers<unknown, AppState> = {
  async POST(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run } = await requireRunAction(ctx.state, ctx.params.id, "review");
    return Response.json(await refreshRun(store, uploadTypes.get(run.uploadType), run.id));
  },
};
