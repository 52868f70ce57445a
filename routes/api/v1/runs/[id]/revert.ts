import type { Handlers } from "$fresh/server.ts";
import { revertRun } from "../../../../../core/runs/revert.ts";
import { requireRunAction } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";

/**
 * `POST /api/v1/runs/{id}/revert` (admins): puts the target table back as it was before the run's
 * commit; the reverted run. `409 conflict` unless the run is committed, `409 revert_conflict`
 * (nothing changed) when rows it wrote changed since.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run, principal } = await requireRunAction(ctx.state, ctx.params.id, "revert");
    const type = uploadTypes.get(run.uploadType);
    return Response.json(await revertRun(store, type, run.id, principal.name));
  },
};
