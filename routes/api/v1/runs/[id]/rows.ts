import type { Handlers } from "$fresh/server.ts";
import { showRows } from "../../../../../core/runs/review_rows.ts";
import { checkRowQuery } from "../../../../../core/runs/row_filter.ts";
import { requireVisibleRun } from "../../../../../server/auth/guards.ts";
import { limit, readQuery } from "../../../../../server/query_params.ts";
import { rowFilterQuery, toRowQuery } from "../../../../../server/row_query.ts";
import type { AppState } from "../../../../../server/services.ts";
import { z } from "zod";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { ReviewRowSchema } from "../../../../../server/api_schemas.ts";

/** The query parameters this route reads. */
export const query = { ...rowFilterQuery, limit: limit(1000) };

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The run's staged rows with diffs and errors (a committed run's: what it applied)",
    responses: {
      200: z.object({
        rows: z.array(ReviewRowSchema),
        nextCursor: z.string().nullable(),
        rowsPurgedAt: z.string().nullable(),
      }),
    },
  },
} satisfies ApiRoute;

/**
 * `GET /api/v1/runs/{id}/rows?action=&column=&code=&q=&fromRow=&sort=&limit=&cursor=`: staged
 * rows with diffs and errors, filtered and sorted (a committed run's: what it applied, until
 * `rowsPurgedAt`), what the file had where a stored value differs (`written`), and the run's
 * suggestion on each error it would read.
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const q = readQuery(ctx.url, query);
    const run = await requireVisibleRun(ctx.state, ctx.params.id);
    const rowQuery = toRowQuery(q, q.limit ?? 100);
    checkRowQuery(run, rowQuery);
    const page = await store.listRows(run.id, rowQuery);
    // Past retention a committed run's applied rows are gone; the answer says so.
    return Response.json({
      rows: showRows(uploadTypes.get(run.uploadType), run, page.items),
      nextCursor: page.nextCursor,
      rowsPurgedAt: run.rowsPurgedAt,
    });
  },
};
