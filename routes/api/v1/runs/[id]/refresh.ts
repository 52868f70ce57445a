import type { Handlers } from "$fresh/server.ts";
import { refreshRun } from "../../../../../core/runs/review.ts";
import { requireRunAction } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { RunSchema } from "../../../../../server/api_schemas.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "Classify a staged run's rows again against the target as it is now",
    responses: { 200: RunSchema.describe("The refreshed run") },
    errors: ["conflict", "type_not_ready"],
  },
} satisfies ApiRoute;

/** `POST /api/v1/runs/{id}/refresh`: classifies the staged rows again against the target as it is now. */
export const handler: Handlers<unknown, AppState> = {
  async POST(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run } = await requireRunAction(ctx.state, ctx.params.id, "review");
    return Response.json(await refreshRun(store, uploadTypes.get(run.uploadType), run.id));
  },
};
