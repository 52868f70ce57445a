/**
 * The access step of the root middleware: who is asking (token, session or local admin), whether
 * an unsafe request came from our own pages, and whether anybody is signed in at all. Signed-out
 * page requests go to `/login` with the way back; API requests get `401`. Which role may do what
 * is checked by the routes themselves (`guards.ts`).
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import { IngestError } from "../../core/errors.ts";
import { errorHeaders, errorResponse, STATUS_OF } from "../http_errors.ts";
import type { AppState } from "../services.ts";
import { authenticate } from "./authenticate.ts";
import { checkCsrf } from "./csrf.ts";
import { isLoopbackHost } from "./listen_policy.ts";

/** Paths anybody may reach: signing in and out, probes and the metrics scrape. */
const PUBLIC_PATHS = new Set(["/login", "/logout", "/health", "/health/ready", "/metrics"]);

/** Authenticates the request into `ctx.state.principal`, or answers 401, 403 or 303 to `/login`. */
export async function accessControl(
  req: Request,
  ctx: FreshContext<AppState>,
): Promise<Response> {
  const { access } = ctx.state.services;
  const api = ctx.url.pathname.startsWith("/api/");
  if (access.loopbackOnly && !isLoopbackHost(ctx.url.hostname)) {
    return refuse(
      api,
      new IngestError(
        "forbidden",
        `This server runs without authentication and answers only loopback host names, ` +
          `not "${ctx.url.hostname}"`,
        { host: ctx.url.hostname },
      ),
    );
  }
  const auth = await authenticate(req, access);
  ctx.state.principal = auth.principal;
  if (auth.invalidToken) {
    await discardBody(req);
    return errorResponse(
      new IngestError("unauthorized", "The API token is not valid", { reason: "invalid_token" }),
    );
  }
  try {
    await checkCsrf(req, auth.principal);
  } catch (err) {
    await discardBody(req);
    return refuse(api, err as IngestError);
  }
  const open = PUBLIC_PATHS.has(ctx.url.pathname) || ctx.destination === "static" ||
    ctx.destination === "internal";
  if (auth.principal || open) return await ctx.next();
  await discardBody(req);
  if (api) {
    return errorResponse(new IngestError("unauthorized", "Sign in or send an API token", {}));
  }
  const next = ctx.url.pathname + ctx.url.search;
  return new Response(null, {
    status: 303,
    headers: { location: `/login?${new URLSearchParams({ next })}` },
  });
}

/** Cancels the body of a refused request: nobody will read it (a route reading one locks it). */
async function discardBody(req: Request): Promise<void> {
  if (req.body && !req.bodyUsed && !req.body.locked) await req.body.cancel().catch(() => {});
}

/** The API's JSON error, or a short plain-text page (these are rare: attacks, odd proxies). */
function refuse(api: boolean, error: IngestError): Response {
  if (api) return errorResponse(error);
  const headers = errorHeaders(error);
  headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(`${error.message} (${error.type})\n`, {
    status: STATUS_OF[error.type],
    headers,
  });
}
