import type { Handlers } from "$fresh/server.ts";
import { IngestError } from "../../../../../../../core/errors.ts";
import { applySuggestion } from "../../../../../../../core/fixes.ts";
import { requireRunAction } from "../../../../../../../server/auth/guards.ts";
import { z } from "zod";
import { RunCountsSchema, SuggestionSchema } from "../../../../../../../server/api_schemas.ts";
import type { ApiRoute } from "../../../../../../../server/openapi.ts";
import type { AppState } from "../../../../../../../server/services.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "Apply one of the run's suggestions to this run",
    responses: {
      200: z.object({
        suggestion: SuggestionSchema,
        updated: z.number().int(),
        counts: RunCountsSchema,
      }),
    },
    errors: ["conflict"],
  },
} satisfies ApiRoute;

/**
 * `POST /api/v1/runs/{id}/suggestions/{n}/apply` (reviewers): applies the run's suggestion `n`
 * (`run.suggestions[].id`) to this run only, validating its invalid rows again with the
 * column's options extended by it. Answers `{suggestion, updated, counts}`.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run, principal } = await requireRunAction(ctx.state, ctx.params.id, "review");
    const n = Number(ctx.params.n);
    if (!Number.isSafeInteger(n)) {
      throw new IngestError("bad_request", `"${ctx.params.n}" is not a suggestion number`, {
        suggestion: ctx.params.n,
      });
    }
    const type = uploadTypes.get(run.uploadType);
    return Response.json(await applySuggestion(store, type, run.id, n, principal.name));
  },
};
