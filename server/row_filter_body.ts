/**
 * The `filter` of a bulk action's JSON body (`POST /api/v1/runs/{id}/exclusions`, `…/fixes`):
 * the same row filters as `GET /api/v1/runs/{id}/rows` takes as query parameters.
 *
 * @module
 */
import { z } from "zod";
import { ROW_ACTIONS, type RowAction } from "../core/runs/run.ts";

/** `{"action"?, "column"?, "code"?, "q"?}`, every one a filter the rows must pass. */
export const RowFilterBody = z.object({
  action: z.enum(ROW_ACTIONS as [RowAction, ...RowAction[]]).optional(),
  column: z.string().min(1).max(200).optional(),
  code: z.string().min(1).max(100).optional(),
  // As the query parameter: no control characters (the search joins cells with one).
  // deno-lint-ignore no-control-regex
  q: z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]*$/).optional(),
}).strict();
