import type { Handlers } from "$fresh/server.ts";
import { describeUploadType } from "../../../../../server/api.ts";
import type { AppState } from "../../../../../server/services.ts";

/** `GET /api/v1/upload-types/{type}`: one upload type. */
export const handler: Handlers<unknown, AppState> = {
  GET(_req, ctx) {
    return Response.json(describeUploadType(ctx.state.services.uploadTypes.get(ctx.params.type)));
  },
};
