import type { Handlers } from "$fresh/server.ts";
import { inspectFile } from "../../../../../core/inspect.ts";
import { savedSuggestion } from "../../../../../core/saved_mapping.ts";
import { refuseDeclaredOversize } from "../../../../../server/accept_upload.ts";
import { limitUploads, requirePermission } from "../../../../../server/auth/guards.ts";
import { fileSpool } from "../../../../../host/deno/file_spool.ts";
import type { AppState } from "../../../../../server/services.ts";
import { readUpload, UPLOAD_BODY, UPLOAD_QUERY } from "../../../../../server/upload_request.ts";
import { z } from "zod";
import type { ApiRoute } from "../../../../../server/openapi.ts";
import { SavedSuggestionSchema } from "../../../../../server/api_schemas.ts";

/** The query parameters this route reads (those of an upload; `mode` and `async` are ignored). */
export const query = UPLOAD_QUERY;

/** What this route takes and answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "A file's format, header, first rows and the saved mapping for that header",
    body: { content: UPLOAD_BODY },
    responses: {
      200: SavedSuggestionSchema.extend({
        format: z.enum(["csv", "json", "ndjson", "xlsx"]),
        sheets: z.array(z.string()).optional(),
        header: z.array(z.string()),
        rows: z.array(z.array(z.string())),
      }),
    },
    errors: [
      "rate_limited",
      "server_busy",
      "unsupported_file_type",
      "file_too_large",
      "limit_exceeded",
      "encoding_error",
      "parse_error",
      "header_error",
      "cancelled",
    ],
  },
} satisfies ApiRoute;

/**
 * `POST /api/v1/upload-types/{type}/inspect`: a file sent as to `POST /api/v1/uploads/{type}`
 * (multipart or raw body, `?sheet=`, `?encoding=`), answered with its format, header, first five
 * data rows and the saved column mapping that applies to that header (`mapping` and
 * `savedMapping`, or null: see `mapping.ts`). Creates no run; text formats are read only as far
 * as the first rows, a workbook is spooled whole. Counts against `INTAKE_UPLOAD_RATE` and
 * `INTAKE_MAX_CONCURRENT_UPLOADS` like an upload.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    const principal = requirePermission(ctx.state, "upload");
    // An inspection reads a file like an upload does: it takes from the same bucket.
    limitUploads(ctx.state, ctx.remoteAddr);
    const { uploadTypes, store } = ctx.state.services;
    const type = uploadTypes.get(ctx.params.type);
    const { limit } = await refuseDeclaredOversize(ctx.state.services, type, req);
    const input = await readUpload(req, ctx.url);
    let release: () => void;
    try {
      release = ctx.state.services.uploadSlots.take();
    } catch (err) {
      await input.body.cancel().catch(() => {});
      throw err;
    }
    const inspection = await inspectFile({
      body: input.body,
      format: input.format,
      encoding: input.encoding,
      delimiter: input.delimiter,
      sheet: input.sheet,
      maxBytes: limit,
      spool: fileSpool,
      signal: req.signal,
      limits: ctx.state.services.settings.uploadLimits,
    }).finally(release);
    const saved = await savedSuggestion(store, type, inspection.header, principal.name);
    return Response.json({ ...inspection, ...saved });
  },
};
