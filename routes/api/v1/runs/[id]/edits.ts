import type { Handlers } from "$fresh/server.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import { z } from "zod";
import type { ApiRoute } from "../../../../../server/openapi.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "Cells fixed in place in the run, oldest first",
    responses: {
      200: z.object({
        edits: z.array(z.object({
          rowNumber: z.number().int(),
          column: z.string(),
          oldValue: z.string().nullable(),
          newValue: z.string().nullable(),
          actor: z.string().nullable(),
          editedAt: z.string(),
        })),
      }),
    },
  },
} satisfies ApiRoute;

/** `GET /api/v1/runs/{id}/edits`: every cell fixed in place in the run, oldest first. */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    return Response.json({ edits: await store.listEdits(run.id) });
  },
};
