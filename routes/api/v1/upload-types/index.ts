import type { Handlers } from "$fresh/server.ts";
import { describeUploadType } from "../../../../server/api.ts";
import type { AppState } from "../../../../server/services.ts";

/** `GET /api/v1/upload-types`: every configured upload type. */
export const handler: Handlers<unknown, AppState> = {
  GET(_req, ctx) {
    const types = ctx.state.services.uploadTypes.list();
    return Response.json({ uploadTypes: types.map(describeUploadType) });
  },
};
