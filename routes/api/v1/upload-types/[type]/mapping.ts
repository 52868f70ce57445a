import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { IngestError } from "../../../../../core/errors.ts";
import { readQuery, text } from "../../../../../server/query_params.ts";
import { savedSuggestion } from "../../../../../core/saved_mapping.ts";
import { requirePrincipal } from "../../../../../server/auth/guards.ts";
import type { AppState } from "../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { SavedSuggestionSchema } from "../../../../../server/api_schemas.ts";

const Headers = z.array(z.string().max(1000)).min(1).max(20_000);

/** The query parameters this route reads: the file's headers, a JSON array. */
export const query = { headers: text(1_000_000) };

/** What this route answers, for the OpenAPI document. */
export const api = {
  GET: {
    summary: "The saved column mapping that applies to these headers for the caller",
    responses: { 200: SavedSuggestionSchema },
  },
} satisfies ApiRoute;

/**
 * `GET /api/v1/upload-types/{type}/mapping?headers=["Site", …]`: the saved column mapping that
 * applies to files with these headers for the caller (their own, else the shared one), as
 * `{"mapping": {header: column, …}, "savedMapping": {id, shared, savedBy, updatedAt}}` (only the
 * entries that change how the headers map), or both null. An upload applies it only when it is
 * sent back as `mapping`.
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { uploadTypes, store } = ctx.state.services;
    const principal = requirePrincipal(ctx.state);
    const type = uploadTypes.get(ctx.params.type);
    const text = readQuery(ctx.url, query).headers ?? "";
    let headers: string[];
    try {
      headers = Headers.parse(JSON.parse(text));
    } catch {
      throw new IngestError("bad_request", 'Expected ?headers=["header", …] (a JSON array)', {});
    }
    return Response.json(await savedSuggestion(store, type, headers, principal.name));
  },
};
