import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { commitRun } from "../../../../../core/lifecycle.ts";
import { readJsonBody } from "../../../../../server/json_body.ts";
import { requirePermission, requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";

const CommitBody = z.object({ excludeRows: z.array(z.number().int()).max(1_000_000).default([]) })
  .strict();

/**
 * `POST /api/v1/runs/{id}/commit` with optional `{"excludeRows": [rowNumber, …]}`, excluded on
 * top of the rows saved through `/exclusions`.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    requirePermission(ctx.state, "review");
    const { excludeRows } = await readJsonBody(req, CommitBody, '{"excludeRows": [row numbers]}');
    const committed = await commitRun(store, uploadTypes.get(run.uploadType), run.id, excludeRows);
    return Response.json(committed);
  },
};
