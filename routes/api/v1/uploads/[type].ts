import type { Handlers } from "$fresh/server.ts";
import { acceptUpload, runFailure } from "../../../../server/accept_upload.ts";
import { runPath, runResponse } from "../../../../server/api.ts";
import { can } from "../../../../server/auth/principal.ts";
import { limitUploads, requirePermission } from "../../../../server/auth/guards.ts";
import { errorResponse } from "../../../../server/http_errors.ts";
import type { AppState } from "../../../../server/services.ts";
import { UPLOAD_BODY, UPLOAD_QUERY } from "../../../../server/upload_request.ts";
import type { ApiRoute } from "../../../../server/openapi.ts";
import { RunSchema } from "../../../../server/api_schemas.ts";

/** The query parameters this route reads (`mode`, `mapping`, `encoding`, `sheet`, `async`). */
export const query = UPLOAD_QUERY;

/** What this route takes and answers, for the OpenAPI document. */
export const api = {
  POST: {
    summary: "Upload a file: a direct import, or staged for review",
    body: { content: UPLOAD_BODY },
    responses: {
      201: RunSchema.describe("The finished run"),
      202: RunSchema.describe("The run, still processing or queued (`Location`)"),
    },
    errors: [
      "rate_limited",
      "server_busy",
      "unsupported_file_type",
      "file_too_large",
      "too_many_rows",
      "limit_exceeded",
      "encoding_error",
      "parse_error",
      "header_error",
      "mapping_required",
      "validation_error",
      "constraint_violation",
      "cancelled",
      "type_not_ready",
      "interrupted",
    ],
  },
} satisfies ApiRoute;

/**
 * `POST /api/v1/uploads/{type}?mode=direct|staged`: a multipart form (field `file`) or a raw
 * CSV/TSV body. `201` with the finished run, `202` while a large file is still processing
 * (or when the client sends `Prefer: respond-async`), or the run's typed error.
 */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    const respondAsync = /\brespond-async\b/.test(req.headers.get("prefer") ?? "");
    const principal = requirePermission(ctx.state, "upload");
    limitUploads(ctx.state, ctx.remoteAddr);
    const { run, finished } = await acceptUpload(ctx.state.services, req, ctx.params.type, {
      respondAsync,
      actor: principal.name,
      shareMapping: can(principal, "share_settings"),
    });
    if (!finished) return runResponse(run, 202);
    if (run.status === "failed") {
      return errorResponse(runFailure(run), { location: runPath(run.id) });
    }
    return runResponse(run, 201);
  },
};
