import type { Handlers } from "$fresh/server.ts";
import { discardRun } from "../../../../../core/runs/review.ts";
import { requireRunAction } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { RunSchema } from "../../../../../server/api_schemas.ts";

/** What this route takes and answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "Discard a staged run",
    responses: { 200: RunSchema.describe("The discarded run") },
    errors: ["conflict"],
  },
} satisfies ApiRoute;

/** `POST /api/v1/runs/{id}/discard`: drops a staged run (`409` once committed). */
export const handler: Handlers<unknown, AppState> = {
  async POST(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run } = await requireRunAction(ctx.state, ctx.params.id, "review");
    return Response.json(await discardRun(store, uploadTypes.get(run.uploadType), run.id));
  },
};
