import type { Handlers } from "$fresh/server.ts";
import { describeUploadType } from "../../../../server/api.ts";
import type { AppState } from "../../../../server/services.ts";
import { z } from "zod";
import type { ApiRoute } from "../../../../server/openapi.ts";
import { UploadTypeSchema } from "../../../../server/api_schemas.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "Every configured upload type",
    responses: { 200: z.object({ uploadTypes: z.array(UploadTypeSchema) }) },
  },
} satisfies ApiRoute;

/** `GET /api/v1/upload-types`: every configured upload type. */
export const handler: Handlers<unknown, AppState> = {
  GET(_req, ctx) {
    const types = ctx.state.services.uploadTypes.list();
    return Response.json({ uploadTypes: types.map(describeUploadType) });
  },
};
