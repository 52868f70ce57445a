/**
 * Request metrics and the access log, from one place in the request path: the root middleware's
 * first handler after the one that provides the services, so it sees every answer (pages, API,
 * static files, 404s) and every error on its way to the 500 page.
 *
 * @module
 */
import { trace } from "@opentelemetry/api";
import type { FreshContext } from "$fresh/server.ts";
import { toIngestError } from "../core/errors.ts";
import { log } from "../host/deno/log.ts";
import type { AppState } from "./services.ts";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]);
// Probes and scrapes arrive every few seconds; their access lines would drown the rest.
const QUIET_ROUTES = new Set(["/health", "/health/ready", "/metrics"]);
const RUN_LOCATION = /^\/api\/v1\/runs\/([^/?#]+)$/;

/**
 * The `route` label of a request: the matched route pattern (`/api/v1/runs/:id`), never the raw
 * URL, so the number of series stays bounded; `(static)`, `(internal)` or `(not_found)` when no
 * route matched.
 */
export function routeLabel(ctx: Pick<FreshContext, "route" | "destination">): string {
  if (ctx.route) return ctx.route;
  return ctx.destination === "notFound" ? "(not_found)" : `(${ctx.destination})`;
}

/** Times the rest of the chain, then counts the request and writes its access-log line. */
export async function observeRequest(
  req: Request,
  ctx: FreshContext<AppState>,
): Promise<Response> {
  const started = performance.now();
  let res: Response | undefined;
  let thrown: unknown;
  try {
    res = await ctx.next();
    return res;
  } catch (err) {
    thrown = err;
    throw err;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    const route = routeLabel(ctx);
    const method = METHODS.has(req.method) ? req.method : "OTHER";
    // A throw ends on the 500 page (rendered by the layer above this middleware).
    const status = res?.status ?? 500;
    // Deno names its HTTP server span (OTEL_DENO=true) by the method alone; with the route
    // pattern, as OpenTelemetry's HTTP conventions ask, traces can be searched per endpoint.
    if (ctx.route) {
      trace.getActiveSpan()?.updateName(`${req.method} ${ctx.route}`)
        .setAttribute("http.route", ctx.route);
    }
    const { metrics } = ctx.state.services;
    metrics.httpRequests.inc({ route, method, status: String(status) });
    metrics.httpDuration.observe({ route, method }, seconds);
    const level = thrown !== undefined ? "error" : QUIET_ROUTES.has(route) ? "debug" : "info";
    if (log.enabled(level)) {
      const runId = ctx.params.id && route.includes("/runs/:id")
        ? ctx.params.id
        : RUN_LOCATION.exec(res?.headers.get("location") ?? "")?.[1];
      log[level]("request", {
        method,
        route,
        status,
        duration_ms: Math.round(seconds * 100_000) / 100,
        ...(runId ? { run_id: runId } : {}),
        ...(thrown !== undefined ? { error_type: toIngestError(thrown).type } : {}),
      });
    }
  }
}
