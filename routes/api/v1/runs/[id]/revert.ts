import type { Handlers } from "$fresh/server.ts";
import { revertRun } from "../../../../../core/runs/revert.ts";
import { requireRunAction } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { RunSchema } from "../../../../../server/api_schemas.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "Put the target table back as it was before the run's commit (admins)",
    responses: { 200: RunSchema.describe("The reverted run") },
    errors: ["conflict", "revert_conflict", "type_not_ready"],
  },
} satisfies ApiRoute;

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
