import type { Handlers } from "$fresh/server.ts";
import { errorReport } from "../../../../../core/error_report.ts";
import { csvResponse } from "../../../../../server/api.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The run's invalid rows with their raw cells, `row` and `errors`",
    responses: { 200: { media: "text/csv", description: "The error report" } },
  },
} satisfies ApiRoute;

/** `GET /api/v1/runs/{id}/errors.csv`: invalid rows with their raw cells, `row` and `errors`. */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    return csvResponse(errorReport(store, run), `errors_${run.id}.csv`);
  },
};
