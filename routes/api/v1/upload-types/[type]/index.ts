import type { Handlers } from "$fresh/server.ts";
import { describeUploadType } from "../../../../../server/api.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { UploadTypeSchema } from "../../../../../server/api_schemas.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: { summary: "One upload type", responses: { 200: UploadTypeSchema } },
} satisfies ApiRoute;

/** `GET /api/v1/upload-types/{type}`: one upload type. */
export const handler: Handlers<unknown, AppState> = {
  GET(_req, ctx) {
    return Response.json(describeUploadType(ctx.state.services.uploadTypes.get(ctx.params.type)));
  },
};
