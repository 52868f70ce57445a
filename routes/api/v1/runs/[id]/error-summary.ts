import type { Handlers } from "$fresh/server.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import { z } from "zod";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import type { AppState } from "../../../../../server/services.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The errors of the run's invalid rows counted by column and code, largest first",
    responses: {
      200: z.object({
        errors: z.array(z.object({
          column: z.string().nullable(),
          code: z.string(),
          message: z.string(),
          count: z.number().int(),
          example: z.object({ row: z.number().int(), value: z.string().nullable() }),
        })),
      }),
    },
  },
} satisfies ApiRoute;

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
