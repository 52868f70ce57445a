import type { Handlers } from "$fresh/server.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { RunSchema } from "../../../../../server/api_schemas.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: { summary: "One run", responses: { 200: RunSchema } },
} satisfies ApiRoute;

/** `GET /api/v1/runs/{id}`: one run with its status, counts, progress and error. */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    return Response.json(await requireVisibleRun(ctx.state, ctx.params.id));
  },
};
