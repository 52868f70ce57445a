import type { Handlers } from "$fresh/server.ts";
import { visibleActor } from "../../../../server/auth/guards.ts";
import { RUN_STATUSES } from "../../../../core/runs/run.ts";
import { choice, limit, readQuery, runCursor, text } from "../../../../server/query_params.ts";
import type { AppState } from "../../../../server/services.ts";

/** The query parameters this route reads. */
export const query = {
  type: text(200),
  status: choice(RUN_STATUSES),
  limit: limit(500),
  cursor: runCursor,
};

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
