import type { Handlers } from "$fresh/server.ts";
import { visibleActor } from "../../../../server/auth/guards.ts";
import { RUN_STATUSES } from "../../../../core/runs/run.ts";
import { choice, limit, readQuery, runCursor, text } from "../../../../server/query_params.ts";
import type { AppState } from "../../../../server/services.ts";
import { z } from "zod";
import type { ApiRoute } from "../../../../server/openapi.ts";
import { RunSchema } from "../../../../server/api_schemas.ts";

/** The query parameters this route reads. */
export const query = {
  type: text(200),
  status: choice(RUN_STATUSES),
  limit: limit(500),
  cursor: runCursor,
};

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "Run history, newest first (an uploader's own runs only)",
    responses: { 200: z.object({ runs: z.array(RunSchema), nextCursor: z.string().nullable() }) },
    errors: ["unknown_upload_type"],
  },
} satisfies ApiRoute;

/**
 * `GET /api/v1/runs?type=&status=&limit=&cursor=`: run history, newest first (an uploader's own
 * runs only).
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const q = readQuery(ctx.url, query);
    if (q.type) uploadTypes.get(q.type);
    const page = await store.listRuns({
      actor: visibleActor(ctx.state),
      uploadType: q.type,
      status: q.status,
      limit: q.limit ?? 50,
      cursor: q.cursor,
    });
    return Response.json({ runs: page.items, nextCursor: page.nextCursor });
  },
};
