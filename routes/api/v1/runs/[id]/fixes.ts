import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { applyBulkFix } from "../../../../../core/fixes.ts";
import { rowsMatching } from "../../../../../core/runs/row_filter.ts";
import { RowFilterBody } from "../../../../../server/row_filter_body.ts";
import { requireRunAction } from "../../../../../server/auth/guards.ts";
import { readJsonBody } from "../../../../../server/json_body.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { RunCountsSchema } from "../../../../../server/api_schemas.ts";

const rows = z.array(z.number().int()).min(1).max(1_000_000).optional();
const filter = RowFilterBody.optional();
const FixBody = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("set"),
    column: z.string(),
    value: z.string().max(100_000),
    rows,
    filter,
  }).strict(),
  z.object({ op: z.enum(["trim", "upper"]), column: z.string().optional(), rows, filter })
    .strict(),
]).refine((body) => body.rows === undefined || body.filter === undefined, {
  message: "give rows or filter, not both",
});

/** What this route takes and answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "The same fix on many invalid rows of a staged run",
    body: FixBody,
    responses: { 200: z.object({ updated: z.number().int(), counts: RunCountsSchema }) },
    errors: ["conflict"],
  },
} satisfies ApiRoute;

/**
 * `POST /api/v1/runs/{id}/fixes` with `{"op": "set"|"trim"|"upper", "column"?, "value"?,
 * "rows"?}` (reviewers): the same edit on many invalid rows of a staged run (every invalid row
 * when `rows` is absent; the invalid ones of those `"filter": {action?, column?, code?, q?}`
 * picks when given), each validated again. Answers `{updated, counts}`.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run, principal } = await requireRunAction(ctx.state, ctx.params.id, "review");
    const body = await readJsonBody(
      req,
      FixBody,
      '{"op": "set", "column": "name", "value": "text", "rows": [row numbers]} or ' +
        '{"op": "trim" or "upper", "column"?: "name", "rows"?: [row numbers]}',
    );
    const type = uploadTypes.get(run.uploadType);
    const { filter, ...fix } = body;
    const picked = filter === undefined ? fix : {
      ...fix,
      rows: await rowsMatching(store, run, { ...filter, action: filter.action ?? "invalid" }),
    };
    return Response.json(await applyBulkFix(store, type, run.id, picked, principal.name));
  },
};
