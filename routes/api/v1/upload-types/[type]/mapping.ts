import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { IngestError } from "../../../../../core/errors.ts";
import { headerSignature } from "../../../../../core/stages/map_headers.ts";
import { readQuery, text } from "../../../../../server/query_params.ts";
import type { AppState } from "../../../../../server/services.ts";

const Headers = z.array(z.string().max(1000)).min(1).max(20_000);

/** The query parameters this route reads: the file's headers, a JSON array. */
export const query = { headers: text(1_000_000) };

/**
 * `GET /api/v1/upload-types/{type}/mapping?headers=["Site", …]`: the column mapping saved for
 * files with these headers (`{"mapping": {…}}`), or `{"mapping": null}`.
 */
export const handler: Handlers<unknown, AppState> = {
  async GET(_req, ctx) {
    const { uploadTypes, store } = ctx.state.services;
    const type = uploadTypes.get(ctx.params.type);
    const text = readQuery(ctx.url, query).headers ?? "";
    let headers: string[];
    try {
      headers = Headers.parse(JSON.parse(text));
    } catch {
      throw new IngestError("bad_request", 'Expected ?headers=["header", …] (a JSON array)', {});
    }
    const mapping = await store.findMapping(type.name, headerSignature(headers));
    return Response.json({ mapping });
  },
};
