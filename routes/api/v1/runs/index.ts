import type { Handlers } from "$fresh/server.ts";
import { readChoice, readLimit } from "../../../../server/api.ts";
import { visibleActor } from "../../../../server/auth/guards.ts";
import { RUN_STATUSES } from "../../../../core/runs.ts";
import type { AppState } from "../../../../server/services.ts";

/**
 * `GET /api/v1/runs?type=&status=&limit=&cursor=`: run history, newest first (an uploader's own
 * runs only).
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(req, ctx) {
    const url = new URL(req.url);
    const { store, uploadTypes } = ctx.state.services;
    const type = url.searchParams.get("type") || undefined;
    if (type) uploadTypes.get(type);
    const page = await store.listRuns({
      actor: visibleActor(ctx.state),
      uploadType: type,
      status: readChoice(url, "status", RUN_STATUSES),
      limit: readLimit(url, 50, 500),
      cursor: url.searchParams.get("cursor") || undefined,
    });
    return Response.json({ runs: page.items, nextCursor: page.nextCursor });
  },
};
