import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { setExcluded, setExcludedByFilter } from "../../../../../core/runs/review.ts";
import { RowFilterBody } from "../../../../../server/row_filter_body.ts";
import { requireRunAction, requireVisibleRun } from "../../../../../server/auth/guards.ts";
import { readJsonBody } from "../../../../../server/json_body.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";

const excluded = z.boolean().default(true);
const ExclusionsBody = z.union([
  z.object({ rows: z.array(z.number().int()).min(1).max(1_000_000), excluded }).strict(),
  z.object({ filter: RowFilterBody, excluded }).strict(),
]);

const ExcludedCounts = z.object({
  new: z.number().int(),
  changed: z.number().int(),
  deleted: z.number().int(),
});

/** What this route takes and answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The rows left out of the commit, counted by action",
    responses: {
      200: z.object({ excluded: ExcludedCounts, rowsPurgedAt: z.string().nullable() }),
    },
  },
  POST: {
    summary: "Leave rows out of the commit, or include them again",
    body: ExclusionsBody,
    responses: {
      200: z.object({
        affected: z.number().int().optional().describe("With `filter`: how many rows changed"),
        excluded: ExcludedCounts,
      }),
    },
    errors: ["conflict"],
  },
} satisfies ApiRoute;

/**
 * `GET /api/v1/runs/{id}/exclusions`: the rows left out of the commit, counted by action.
 * `POST` with `{"rows": [rowNumber, …], "excluded": true|false}` saves a reviewer's choice;
 * with `{"filter": {action?, column?, code?, q?}}` in place of `rows`, for every row it picks
 * (answering `affected`, how many rows changed).
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store } = ctx.state.services;
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    return Response.json({
      excluded: await store.countExcluded(run.id),
      rowsPurgedAt: run.rowsPurgedAt,
    });
  },
  async POST(req, ctx) {
    const { store } = ctx.state.services;
    await requireRunAction(ctx.state, ctx.params.id, "review");
    const body = await readJsonBody(
      req,
      ExclusionsBody,
      '{"rows": [row numbers] or "filter": {"action"?, "column"?, "code"?, "q"?}, ' +
        '"excluded": true or false}',
    );
    if ("filter" in body) {
      return Response.json(
        await setExcludedByFilter(store, ctx.params.id, body.filter, body.excluded),
      );
    }
    const counts = await setExcluded(store, ctx.params.id, body.rows, body.excluded);
    return Response.json({ excluded: counts });
  },
};
