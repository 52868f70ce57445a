import type { Handlers } from "$fresh/server.ts";
import { z } from "zod";
import { IngestError } from "../../../../../core/errors.ts";
import { commitRun, requireRun } from "../../../../../core/lifecycle.ts";
import type { AppState } from "../../../../../server/services.ts";

const CommitBody = z.object({ excludeRows: z.array(z.number().int()).max(1_000_000).default([]) })
  .strict();

/** `POST /api/v1/runs/{id}/commit` with optional `{"excludeRows": [rowNumber, …]}`. */
export const handler: Handlers<unknown, AppState> = {
  async POST(req, ctx) {
    const { store, uploadTypes } = ctx.state.services;
    const run = await requireRun(store, ctx.params.id);
    const body = await readCommitBody(req);
    const committed = await commitRun(store, uploadTypes.get(run.uploadType), run.id, body);
    return Response.json(committed);
  },
};

async function readCommitBody(req: Request): Promise<number[]> {
  const text = await req.text();
  if (text.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IngestError("bad_request", "The request body is not valid JSON", {});
  }
  const result = CommitBody.safeParse(parsed);
  if (!result.success) {
    throw new IngestError(
      "bad_request",
      'Expected {"excludeRows": [row numbers]}',
      { issues: result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) },
    );
  }
  return result.data.excludeRows;
}
