import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { editRow } from "../../../../../../core/fixes.ts";
import { IngestError } from "../../../../../../core/errors.ts";
import { showRows } from "../../../../../../core/runs/review_rows.ts";
import { requireRunAction } from "../../../../../../server/auth/guards.ts";
import { readJsonBody } from "../../../../../../server/json_body.ts";
import type { AppState } from "../../../../../../server/services.ts";
import type { ApiRoute } from "../../../../../../server/openapi.ts";
import { ReviewRowSchema, RunCountsSchema } from "../../../../../../server/api_schemas.ts";

const EditBody = z.object({
  cells: z.record(z.string(), z.string().max(100_000)).refine((c) => Object.keys(c).length > 0),
}).strict();

/** What this route takes and answers, for the OpenAPI document. */
export const api = {
  PATCH: {
    summary: "Fix an invalid row of a staged run in place",
    body: EditBody,
    responses: { 200: ReviewRowSchema.extend({ counts: RunCountsSchema }) },
    errors: ["conflict"],
  },
} satisfies ApiRoute;

/**
 * `PATCH /api/v1/runs/{id}/rows/{rowNumber}` with `{"cells": {"column": "new text", …}}`
 * (reviewers): fixes an invalid row of a staged run in place. The row is validated again; when it
 * passes it is classified like the run's other rows. Answers the row as `GET …/rows` shows it,
 * and the run's counts.
 */
export const handler: Handlers<unknown, AppState> = {
  async PATCH(req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const { run, principal } = await requireRunAction(ctx.state, ctx.params.id, "review");
    const rowNumber = Number(ctx.params.row);
    if (!Number.isSafeInteger(rowNumber) || rowNumber < 1) {
      throw new IngestError("bad_request", `"${ctx.params.row}" is not a row number`, {
        row: ctx.params.row,
      });
    }
    const body = await readJsonBody(req, EditBody, '{"cells": {"column": "new value"}}');
    const type = uploadTypes.get(run.uploadType);
    const result = await editRow(store, type, run.id, rowNumber, body.cells, principal.name);
    const [row] = showRows(type, run, [result.row]);
    return Response.json({ ...row, counts: result.counts });
  },
};
