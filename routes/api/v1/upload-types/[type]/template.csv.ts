import type { Handlers } from "$fresh/server.ts";
import { templateCsv } from "../../../../../core/export_csv.ts";
import { csvResponse } from "../../../../../server/api.ts";
import type { AppState } from "../../../../../server/services.ts";

/** `GET /api/v1/upload-types/{type}/template.csv`: the header row and an example row. */
export const handler: Handlers<unknown, AppState> = {
  GET(_req, ctx) {
    const type = ctx.state.services.uploadTypes.get(ctx.params.type);
    return csvResponse(templateCsv(type), `${type.name}_template.csv`);
  },
};
