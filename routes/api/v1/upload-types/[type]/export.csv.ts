import type { Handlers } from "$fresh/server.ts";
import { exportCsv } from "../../../../../core/export_csv.ts";
import { csvResponse } from "../../../../../server/api.ts";
import { requirePermission } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The target table, streamed, sorted by key",
    responses: { 200: { media: "text/csv", description: "The table" } },
    errors: ["type_not_ready"],
  },
} satisfies ApiRoute;

/** `GET /api/v1/upload-types/{type}/export.csv`: the target table, streamed, sorted by key. */
export const handler: Handlers<unknown, AppState> = {
  GET(_req, ctx) {
    requirePermission(ctx.state, "export");
    const { uploadTypes, store } = ctx.state.services;
    const type = uploadTypes.get(ctx.params.type);
    return csvResponse(exportCsv(store, type), `${type.name}.csv`);
  },
};
