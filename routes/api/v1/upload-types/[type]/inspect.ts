import type { Handlers } from "$fresh/server.ts";
import { inspectFile } from "../../../../../core/inspect.ts";
import { savedSuggestion } from "../../../../../core/saved_mapping.ts";
import { refuseDeclaredOversize } from "../../../../../server/accept_upload.ts";
import { requirePermission } from "../../../../../server/auth/guards.ts";
import { fileSpool } from "../../../../../server/file_spool.ts";
import type { AppState } from "../../../../../server/services.ts";
import { readUpload } from "../../../../../server/upload_request.ts";

/**
 * `POST /api/v1/upload-types/{type}/inspect`: a file sent as to `POST /api/v1/uploads/{type}`
 * (multipart or raw body, `?sheet=`, `?encoding=`), answered with its format, header, first five
 * data rows and the saved column mapping that applies to that header (`mapping` and
 * `savedMapping`, or null: see `mapping.ts`). Creates no run; text formats
 * are read only as far as the first rows, a workbook is spooled whole.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    const principal = requirePermission(ctx.state, "upload");
    const { uploadTypes, store } = ctx.state.services;
    const type = uploadTypes.get(ctx.params.type);
    const { limit } = await refuseDeclaredOversize(ctx.state.services, type, req);
    const input = await readUpload(req, ctx.url);
    const inspection = await inspectFile({
      body: input.body,
      format: input.format,
      encoding: input.encoding,
      delimiter: input.delimiter,
      sheet: input.sheet,
      maxBytes: limit,
      spool: fileSpool,
      signal: req.signal,
    });
    const saved = await savedSuggestion(store, type, inspection.header, principal.name);
    return Response.json({ ...inspection, ...saved });
  },
};
