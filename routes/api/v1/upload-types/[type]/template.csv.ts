import type { Handlers } from "$fresh/server.ts";
import { templateCsv } from "../../../../../core/export_csv.ts";
import { csvResponse } from "../../../../../server/api.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The header row and an example row",
    responses: { 200: { media: "text/csv", description: "The template" } },
  },
} satisfies ApiRoute;

/** `GET /api/v1/upload-types/{type}/template.csv`: the header row and an example row. */
export const handler: Handlers<unknown, AppState> = {
  GET(_req, ctx) {
    const type = ctx.state.services.uploadTypes.get(ctx.params.type);
    return csvResponse(templateCsv(type), `${type.name}_template.csv`);
  },
};
