/**
 * The request pipeline: trailing-slash redirect → destination (bundle file, static file, route or
 * 404) → middleware chain → route handler or page render; an uncaught error renders `_500`.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { h } from "preact";
import { bundleLoader, type ClientBundle } from "./bundle.ts";
import { HttpError } from "./error.ts";
import { registerIslands } from "./islands.ts";
import { renderPage } from "./render.ts";
import {
  buildRouteTable,
  matchRoute,
  middlewaresFor,
  type RouteMatch,
  type RouteTable,
} from "./router.ts";
import { IMMUTABLE, matchesEtag, StaticFiles } from "./static_files.ts";
import type { FreshContext, Handler, Handlers, KnownMethod, Manifest } from "./types.ts";

/** A request handler for `Deno.serve`, or for tests with `new Request(…)`. */
export type ServeHandler = (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;

/** A handler plus a way to prepare the client bundle before the first island page. */
export interface FreshApp {
  handler: ServeHandler;
  /** Builds the client bundle now (no-op without islands). */
  warmUp(): Promise<void>;
}

interface Server {
  table: RouteTable;
  statics: StaticFiles;
  bundle: () => Promise<ClientBundle>;
}

const METHODS: KnownMethod[] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

/** Stands in for the peer address when a handler is called without connection info (tests). */
const NO_ADDR: Deno.NetAddr = Object.freeze({ transport: "tcp", hostname: "0.0.0.0", port: 0 });

/** Reads the manifest and returns the app. Route mistakes throw here, naming the file. */
export async function createApp(manifest: Manifest): Promise<FreshApp> {
  const root = dirname(fileURLToPath(manifest.baseUrl));
  const islands = registerIslands(manifest.islands, manifest.baseUrl);
  const server: Server = {
    table: buildRouteTable(manifest),
    statics: await StaticFiles.open(join(root, "static")),
    bundle: bundleLoader(islands, root),
  };
  return {
    handler: (req, info) => handle(req, info, server),
    warmUp: async () => {
      if (islands.length > 0) await server.bundle();
    },
  };
}

async function handle(
  req: Request,
  info: Deno.ServeHandlerInfo | undefined,
  server: Server,
): Promise<Response> {
  const url = requestUrl(req);
  const { pathname } = url;
  if (pathname.length > 1 && pathname.endsWith("/")) {
    // Always a path on this origin: `//evil.example/` would otherwise redirect to another host
    // (a protocol-relative URL), so leading slashes collapse to one.
    const location = "/" + pathname.replace(/^\/+|\/+$/g, "");
    return new Response(null, { status: 307, headers: { location: location + url.search } });
  }
  const internal = pathname.startsWith("/_frsh/");
  const isStatic = !internal && (req.method === "GET" || req.method === "HEAD") &&
    server.statics.has(pathname);
  const match = internal || isStatic ? null : matchRoute(server.table, pathname);
  const destination = internal ? "internal" : isStatic ? "static" : match ? "route" : "notFound";
  const unavailable = (what: string) => () =>
    Promise.reject(new Error(`${what} is not available at this point of the request`));
  const ctx: FreshContext = {
    url,
    params: match?.params ?? {},
    state: {},
    route: match?.route.pattern ?? "",
    destination,
    remoteAddr: info?.remoteAddr ?? NO_ADDR,
    data: undefined,
    Component: () => null,
    render: unavailable("ctx.render()"),
    renderNotFound: (data) => renderSpecial(ctx, server, 404, data),
    next: unavailable("ctx.next()"),
  };
  const endpoint = async (): Promise<Response> => {
    ctx.next = unavailable("ctx.next()");
    if (internal) return await serveBundleFile(req, url, server.bundle);
    const res = isStatic
      ? await server.statics.serve(req, url)
      : match && await runRoute(req, ctx, server, match);
    return res ?? await ctx.renderNotFound();
  };
  const middlewares = middlewaresFor(server.table, pathname);
  const run = async (i: number): Promise<Response> => {
    ctx.next = i + 1 < middlewares.length ? () => run(i + 1) : endpoint;
    return expectResponse(await middlewares[i](req, ctx), "Middleware");
  };
  try {
    return middlewares.length > 0 ? await run(0) : await endpoint();
  } catch (err) {
    console.error(`Fresh: ${req.method} ${url.pathname} failed:`, err);
    ctx.error = err;
    ctx.next = unavailable("ctx.next()");
    ctx.render = (data, init) => renderSpecial(ctx, server, 500, data, init);
    try {
      const { handler } = server.table.error;
      return handler ? expectResponse(await handler(req, ctx), "_500") : await ctx.render();
    } catch (err) {
      console.error("Fresh: the error page failed too:", err);
      return new Response("Internal Server Error", {
        status: 500,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
  }
}

/**
 * The request's URL; `Deno.serve` builds it from the `Host` header, which a client may send
 * malformed (`a b`, `x:y:z`, a port over 65535).
 *
 * @throws {HttpError} 400 when it is not a valid URL
 */
function requestUrl(req: Request): URL {
  try {
    return new URL(req.url);
  } catch (err) {
    throw new HttpError(400, `Cannot serve "${req.url}": the Host header is malformed`, {
      cause: err,
    });
  }
}

function expectResponse(res: unknown, what: string): Response {
  if (res instanceof Response) return res;
  throw new TypeError(
    `${what} returned ${res === undefined ? "nothing" : String(res)}, not a Response`,
  );
}

/** Runs a route's handler for the request method (default GET render, HEAD from GET, 405). */
async function runRoute(
  req: Request,
  ctx: FreshContext,
  server: Server,
  { route }: RouteMatch,
): Promise<Response> {
  const page = route.component;
  ctx.render = (data, init) => {
    if (!page) {
      return Promise.reject(
        new Error(`Cannot render "${route.file}": it has no default export component`),
      );
    }
    ctx.data = data;
    return renderPage(ctx, page, server.table.app, init ?? {}, server.bundle);
  };
  const res = await dispatch(req, ctx, route.handler, page !== undefined);
  return res ?? methodNotAllowed(route.handler, page !== undefined);
}

/**
 * Calls the function handler, or the method's handler from an object; a page without a GET
 * handler renders. HEAD falls back to GET without the body. Returns null when the method has no
 * handler.
 */
async function dispatch(
  req: Request,
  ctx: FreshContext,
  handler: Handler | Handlers,
  hasPage: boolean,
): Promise<Response | null> {
  if (typeof handler === "function") return expectResponse(await handler(req, ctx), "Handler");
  const method = req.method as KnownMethod;
  const get = handler.GET ?? (hasPage ? (_req: Request, c: FreshContext) => c.render() : undefined);
  const own = method === "GET" ? get : handler[method];
  if (own) return expectResponse(await own(req, ctx), `Handler ${method}`);
  if (method !== "HEAD" || !get) return null;
  const res = expectResponse(await get(req, ctx), "Handler GET");
  await res.body?.cancel();
  return new Response(null, res); // the same status, status text and headers
}

function methodNotAllowed(handler: Handler | Handlers, hasPage: boolean): Response {
  const own = new Set(Object.keys(handler));
  if (hasPage) own.add("GET");
  if (own.has("GET")) own.add("HEAD");
  const allow = METHODS.filter((m) => own.has(m)).join(", ");
  return new Response("Method Not Allowed", {
    status: 405,
    headers: { allow, "content-type": "text/plain; charset=utf-8" },
  });
}

/** Renders `_404` (status 404) or `_500` (status 500) inside `_app`. */
function renderSpecial(
  ctx: FreshContext,
  server: Server,
  status: 404 | 500,
  data: unknown,
  init: ResponseInit = {},
): Promise<Response> {
  ctx.data = data;
  const { table } = server;
  const page = (status === 404 ? table.notFound : table.error.component) ??
    (() => h("h1", null, status === 404 ? "404 - Page not found" : "500 - Internal server error"));
  return renderPage(ctx, page, table.app, { status, ...init }, server.bundle);
}

async function serveBundleFile(
  req: Request,
  url: URL,
  load: () => Promise<ClientBundle>,
): Promise<Response> {
  const match = /^\/_frsh\/js\/([0-9a-f]+)\/([\w.-]+)$/.exec(url.pathname);
  const bundle = match ? await load().catch(() => null) : null;
  const file = bundle?.hash === match?.[1] ? bundle?.files.get(match![2]) : undefined;
  if (!file) return new Response("Not Found", { status: 404 });
  const etag = `"${bundle!.hash}"`;
  const headers = new Headers({
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": IMMUTABLE,
    etag,
  });
  if (matchesEtag(req.headers.get("if-none-match"), etag)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set("content-length", String(file.byteLength));
  return new Response(req.method === "HEAD" ? null : file as Uint8Array<ArrayBuffer>, { headers });
}
