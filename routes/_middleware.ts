import type { FreshContext } from "$fresh/server.ts";
import { isIngestError } from "../core/errors.ts";
import { accessControl } from "../server/auth/access_control.ts";
import { compress } from "../server/compress.ts";
import { errorHeaders, STATUS_OF } from "../server/http_errors.ts";
import { observeRequest } from "../server/observe_request.ts";
import { servicesOf } from "../server/request_services.ts";
import { withSecurityHeaders } from "../server/security_headers.ts";
import type { AppState } from "../server/services.ts";

/** Hands the services the app was built with (`server/app.ts`) to every route via `ctx.state`. */
function provideServices(req: Request, ctx: FreshContext<AppState>): Promise<Response> {
  ctx.state.services = servicesOf(req);
  return ctx.next();
}

/**
 * Shows the 404 page when a page asks for an upload type or run that does not exist and the same
 * page, with the error and its status, for any other bad input a page refuses (a malformed query
 * parameter: 400), since API routes answer in JSON first; gzips text responses for clients that
 * accept it, and sets the security headers.
 */
async function serve(req: Request, ctx: FreshContext<AppState>): Promise<Response> {
  return withSecurityHeaders(req, compress(req, await respond(ctx)));
}

async function respond(ctx: FreshContext<AppState>): Promise<Response> {
  try {
    return await ctx.next();
  } catch (err) {
    if (isIngestError(err, "not_found") || isIngestError(err, "unknown_upload_type")) {
      return ctx.renderNotFound();
    }
    // Bad input is the client's mistake, not a failure: a readable page, not the 500 page.
    if (!isIngestError(err) || STATUS_OF[err.type] >= 500) throw err;
    const page = await ctx.renderNotFound({ error: err.toJSON() });
    const headers = new Headers(page.headers);
    errorHeaders(err).forEach((value, name) => headers.set(name, value));
    return new Response(page.body, { status: STATUS_OF[err.type], headers });
  }
}

/**
 * The services first, which the rest use; request metrics and the access log next, so they see
 * every answer and every error; access control after `serve`, so its refusals carry the security
 * headers too.
 */
export const handler = [provideServices, observeRequest, serve, accessControl];
