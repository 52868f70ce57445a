import type { Handlers } from "$fresh/server.ts";
import { inspectFile } from "../../../../../core/inspect.ts";
import { headerSignature } from "../../../../../core/stages/map_headers.ts";
import { refuseDeclaredOversize } from "../../../../../server/accept_upload.ts";
import { requirePermission } from "../../../../../server/auth/guards.ts";
import { fileSpool } from "../../../../../server/file_spool.ts";
import type { AppState } from "../../../../../server/services.ts";
import { readUpload } from "../../../../../server/upload_request.ts";

/**
 * `POST /api/v1/upload-types/{type}/inspect`: a file sent as to `POST /api/v1/uploads/{type}`
 * (multipart or raw body, `?sheet=`, `?encoding=`), answered with its format, header, first five
 * data rows and the column mapping saved for that header (or null). Creates no run; text formats
 * are read only as far as the first rows, a workbook is spooled whole.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    requirePermission(ctx.state, "upload");
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
      limits: ctx.state.services.settings.uploadLimits,
    });
    const mapping = await store.findMapping(type.name, headerSignature(inspection.header));
    return Response.json({ ...inspection, mapping });
  },
};
