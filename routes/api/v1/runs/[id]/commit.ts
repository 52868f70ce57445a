import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { commitRun } from "../../../../../core/stages/commit.ts";
import { rememberMapping } from "../../../../../core/saved_mapping.ts";
import { committer } from "../../../../../server/auth/committer.ts";
import { readJsonBody } from "../../../../../server/json_body.ts";
import { requireRunAction } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { RunSchema } from "../../../../../server/api_schemas.ts";

const CommitBody = z.object({ excludeRows: z.array(z.number().int()).max(1_000_000).default([]) })
  .strict();

/** What this route takes and answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "Commit a staged run",
    body: CommitBody,
    responses: { 200: RunSchema.describe("The committed run") },
    errors: [
      "conflict",
      "stale_review",
      "nothing_to_commit",
      "constraint_violation",
      "type_not_ready",
    ],
  },
} satisfies ApiRoute;

/**
 * `POST /api/v1/runs/{id}/commit` with optional `{"excludeRows": [rowNumber, …]}`, excluded on
 * top of the rows saved through `/exclusions`.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run, principal } = await requireRunAction(ctx.state, ctx.params.id, "review");
    const { excludeRows } = await readJsonBody(req, CommitBody, '{"excludeRows": [row numbers]}');
    const type = uploadTypes.get(run.uploadType);
    const committed = await commitRun(store, type, run.id, excludeRows);
    // The commit stands either way: a mapping not saved is asked for again next time.
    await rememberMapping(store, type, committed, committer(principal)).catch(() => {});
    return Response.json(committed);
  },
};
