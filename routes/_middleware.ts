import type { FreshContext } from "$fresh/server.ts";
import { isIngestError } from "../core/errors.ts";
import { accessControl } from "../server/auth/access_control.ts";
import { compress } from "../server/compress.ts";
import { observeRequest } from "../server/observe_request.ts";
import { withSecurityHeaders } from "../server/security_headers.ts";
import { type AppState, currentServices } from "../server/services.ts";

/**
 * Hands the process's services to every route through `ctx.state`, and shows the 404 page when
 * a page asks for an upload type or run that does not exist (API routes answer in JSON first),
 * gzips text responses for clients that accept it, and sets the security headers.
 */
async function serve(req: Request, ctx: FreshContext<AppState>): Promise<Response> {
  ctx.state.services = currentServices();
  return withSecurityHeaders(req, compress(req, await respond(ctx)));
}

async function respond(ctx: FreshContext<AppState>): Promise<Response> {
  try {
    return await ctx.next();
  } catch (err) {
    if (isIngestError(err, "not_found") || isIngestError(err, "unknown_upload_type")) {
      return ctx.renderNotFound();
    }
    throw err;
  }
}

/**
 * Request metrics and the access log first, so they see every answer and every error; access
 * control after `serve`, so its refusals carry the security headers too.
 */
export const handler = [observeRequest, serve, accessControl];
