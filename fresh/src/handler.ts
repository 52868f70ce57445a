/**
 * The request pipeline: trailing-slash redirect → destination (bundle file, static file, route or
 * 404) → middleware chain → route handler or page render; an uncaught error renders `_500`.
 *
 * @module
 */
import { h } from "preact";
import { buildClientBundle, type ClientBundle, loadSnapshot } from "./bundle.ts";
import { resolveConfig } from "./config.ts";
import { createContext } from "./context.ts";
import { type Island, registerIslands } from "./islands.ts";
import { type RenderEnv, renderPage } from "./render.ts";
import { matchRoute, middlewaresFor, renderTargetFor, type RouteMatch } from "./router.ts";
import { buildRouteTable, type PageRoute, type RouteTable, type SpecialPage } from "./routes.ts";
import { IMMUTABLE, matchesEtag, StaticFiles } from "./static_files.ts";
import { setBuildId } from "./build_id.ts";
import { HttpError } from "./error.ts";
import type {
  Destination,
  FreshConfig,
  FreshContext,
  Handler,
  Handlers,
  KnownMethod,
  Manifest,
  RenderOptions,
  ResolvedFreshConfig,
} from "./types.ts";

/** A request handler for `Deno.serve`, or for tests with `new Request(…)`. */
export type ServeHandler = (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;

/** A handler plus a way to prepare the client bundle before the first island page. */
export interface FreshApp {
  handler: ServeHandler;
  /** Loads `_fresh/` or builds the client bundle now (no-op without islands). */
  warmUp(): Promise<void>;
  config: ResolvedFreshConfig;
}

const METHODS: KnownMethod[] = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

/** One id per process, as in Fresh; Deno Deploy's deployment id when there is one. */
const BUILD_ID = Deno.env.get("DENO_DEPLOYMENT_ID") ?? crypto.randomUUID();

/**
 * Reads the manifest and returns the app. Route mistakes throw here, naming the file.
 */
export async function createApp(manifest: Manifest, config: FreshConfig = {}): Promise<FreshApp> {
  const resolved = resolveConfig(manifest, config);
  const table = buildRouteTable(manifest);
  const islands = registerIslands(manifest.islands, manifest.baseUrl);
  setBuildId(BUILD_ID);
  const statics = await StaticFiles.open(resolved.staticDir, BUILD_ID);
  const env: RenderEnv = { bundle: bundleLoader(islands, resolved), buildId: BUILD_ID };
  const handler: ServeHandler = (req, info) =>
    handle(req, info, { table, statics, env, config: resolved });
  return {
    handler,
    config: resolved,
    warmUp: async () => {
      if (islands.length > 0) await env.bundle();
    },
  };
}

function bundleLoader(islands: Island[], config: ResolvedFreshConfig): () => Promise<ClientBundle> {
  let pending: Promise<ClientBundle> | null = null;
  const load = async () => {
    if (islands.length === 0) throw new Error("There are no islands to bundle");
    if (!config.dev) {
      const snapshot = await loadSnapshot(config.build.outDir, islands, config.root);
      if (typeof snapshot !== "string") return snapshot;
      if (snapshot !== "no snapshot") {
        console.warn(`Fresh: not using ${config.build.outDir} (${snapshot}); bundling in memory`);
      }
    }
    return (await buildClientBundle(islands, config.root)).bundle;
  };
  return () => {
    // A failed build is retried by the next request instead of being cached forever.
    pending ??= load().catch((err) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}

interface Server {
  table: RouteTable;
  statics: StaticFiles;
  env: RenderEnv;
  config: ResolvedFreshConfig;
}

async function handle(
  req: Request,
  info: Deno.ServeHandlerInfo | undefined,
  server: Server,
): Promise<Response> {
  const url = requestUrl(req);
  const { pathname } = url;
  if (!server.config.router.trailingSlash && pathname.length > 1 && pathname.endsWith("/")) {
    // Always a path on this origin: `//evil.example/` would otherwise redirect to another host
    // (a protocol-relative URL), so leading slashes collapse to one.
    const location = "/" + pathname.replace(/^\/+|\/+$/g, "");
    return new Response(null, { status: 307, headers: { location: location + url.search } });
  }
  const { table } = server;
  let match: RouteMatch | null = null;
  let destination: Destination;
  if (pathname.startsWith("/_frsh/")) destination = "internal";
  else if ((req.method === "GET" || req.method === "HEAD") && server.statics.has(pathname)) {
    destination = "static";
  } else {
    match = matchRoute(table, pathname);
    destination = match ? "route" : "notFound";
  }

  const ctx = createContext(url, server.config, destination, info?.remoteAddr);
  ctx.renderNotFound = (data) => renderSpecial(req, ctx, server, table.notFound, data, {});
  if (match) {
    ctx.params = match.params;
    ctx.route = ctx.pattern = match.route.pattern;
  }
  const route = match?.route ?? null;
  const endpoint = (): Promise<Response> => {
    switch (destination) {
      case "internal":
        return serveBundleFile(req, url, server.env);
      case "static":
        return server.statics.serve(req, url).then((res) => res ?? notFoundPage(req, ctx, server));
      case "route":
        return runRoute(req, ctx, server, route!);
      case "notFound":
        return notFoundPage(req, ctx, server);
    }
  };
  const middlewares = middlewaresFor(table, route, pathname);
  const run = (i: number): Promise<Response> => {
    if (i === middlewares.length) {
      ctx.next = () => Promise.reject(new Error("ctx.next() was called with no middleware left"));
      return endpoint();
    }
    ctx.next = () => run(i + 1);
    return Promise.resolve(middlewares[i](req, ctx)).then((res) =>
      expectResponse(res, "Middleware")
    );
  };
  try {
    return await run(0);
  } catch (err) {
    return await errorPage(req, ctx, server, err);
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
  route: PageRoute,
): Promise<Response> {
  ctx.render = (data, init) => {
    if (!route.component) {
      return Promise.reject(
        new Error(`Cannot render "${route.file}": it has no default export component`),
      );
    }
    ctx.data = data;
    const target = renderTargetFor(server.table, route.folder, route.config, route.component);
    return renderPage(req, ctx, target, init ?? {}, server.env);
  };
  const render: Handler = (_req, c) => c.render();
  const res = await dispatch(req, ctx, route.handler, route.component ? render : undefined);
  return res ?? methodNotAllowed(route.handler, route.component !== undefined);
}

/**
 * Calls the function handler, or the method's handler from an object. HEAD falls back to GET
 * without the body. Returns null when the method has no handler.
 */
async function dispatch(
  req: Request,
  ctx: FreshContext,
  handler: Handler | Handlers,
  defaultGet: Handler | undefined,
): Promise<Response | null> {
  if (typeof handler === "function") return expectResponse(await handler(req, ctx), "Handler");
  const method = req.method as KnownMethod;
  const get = handler.GET ?? defaultGet;
  const own = method === "GET" ? get : handler[method];
  if (own) return expectResponse(await own(req, ctx), `Handler ${method}`);
  if (method !== "HEAD" || !get) return null;
  const res = expectResponse(await get(req, ctx), "Handler GET");
  await res.body?.cancel();
  return new Response(null, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
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

async function notFoundPage(req: Request, ctx: FreshContext, server: Server): Promise<Response> {
  const page = server.table.notFound;
  if (!page.handler) return await ctx.renderNotFound();
  ctx.render = (data, init) => renderSpecial(req, ctx, server, page, data, init ?? {});
  const res = await dispatch(req, ctx, page.handler, (_r, c) => c.render());
  return res ?? await ctx.renderNotFound();
}

async function errorPage(
  req: Request,
  ctx: FreshContext,
  server: Server,
  error: unknown,
): Promise<Response> {
  console.error(`Fresh: ${req.method} ${ctx.url.pathname} failed:`, error);
  const page = server.table.error;
  ctx.error = error;
  ctx.next = () => Promise.reject(new Error("ctx.next() is not available on the error page"));
  ctx.render = (data, init) => renderSpecial(req, ctx, server, page, data, init ?? {});
  try {
    const handler = page.handler;
    if (typeof handler === "function") return expectResponse(await handler(req, ctx), "_500");
    const fn = handler?.[req.method as KnownMethod] ?? handler?.GET;
    return fn ? expectResponse(await fn(req, ctx), "_500") : await ctx.render();
  } catch (err) {
    console.error("Fresh: the error page failed too:", err);
    return new Response("Internal Server Error", {
      status: 500,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
}

const DefaultNotFound = () => h("h1", null, "404 - Page not found");
const DefaultError = () => h("h1", null, "500 - Internal server error");

/** Renders `_404` (status 404) or `_500` (status 500) with root layouts and `_app`. */
function renderSpecial(
  req: Request,
  ctx: FreshContext,
  server: Server,
  page: SpecialPage,
  data: unknown,
  init: RenderOptions,
): Promise<Response> {
  const isError = page === server.table.error;
  ctx.data = data;
  const component = page.component ?? (isError ? DefaultError : DefaultNotFound);
  const target = renderTargetFor(server.table, "", page.config, component);
  return renderPage(req, ctx, target, { status: isError ? 500 : 404, ...init }, server.env);
}

async function serveBundleFile(req: Request, url: URL, env: RenderEnv): Promise<Response> {
  const match = /^\/_frsh\/js\/([0-9a-f]+)\/([\w.-]+)$/.exec(url.pathname);
  const bundle = match ? await env.bundle().catch(() => null) : null;
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
