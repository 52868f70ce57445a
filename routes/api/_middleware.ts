import type { FreshContext } from "$fresh/server.ts";
import { errorResponse } from "../../server/http_errors.ts";
import type { AppState } from "../../server/services.ts";

/** Turns every error thrown by an API route into the JSON error shape. */
export async function handler(_req: Request, ctx: FreshContext<AppState>): Promise<Response> {
  try {
    return await ctx.next();
  } catch (err) {
    return errorResponse(err);
  }
}
