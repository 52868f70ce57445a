/**
 * The Fresh 1.x types Intake's routes, islands and config are written against: the subset it uses,
 * with Fresh 1.7's names and shapes, so that swapping in real Fresh is an import-map change.
 *
 * @module
 */
import type { ComponentType } from "preact";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The HTTP methods a {@linkcode Handlers} object can answer. */
export type KnownMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "OPTIONS" | "PATCH";

/** Where a request is headed, as seen by middleware. */
export type Destination = "internal" | "static" | "route" | "notFound";

/**
 * The second argument of every handler and middleware (Fresh 1.x `FreshContext`).
 *
 * @typeParam State what middleware puts in `ctx.state`
 * @typeParam Data what the handler passes to `ctx.render(data)`
 */
export interface FreshContext<State = Record<string, unknown>, Data = Any> {
  /** The request URL, parsed. */
  url: URL;
  /** Route parameters: `[id]` → `params.id`; a catch-all `[...rest]` gives `"a/b"` or `""`. */
  params: Record<string, string>;
  /** Per-request state shared by middleware, handlers and pages. */
  state: State;
  /** The matched route pattern (`/runs/:id`), set before middleware runs; `""` without a route. */
  route: string;
  /** Where the request is headed. */
  destination: Destination;
  /** The peer address (a placeholder when the handler is called without connection info). */
  remoteAddr: Deno.Addr;
  /** The data given to `ctx.render(data)`; `undefined` before rendering. */
  data: Data;
  /** The error being shown, on the `_500` page. */
  error?: unknown;
  /** In `_app`: the page to render inside it. */
  Component: ComponentType<Record<never, never>>;
  /** Renders the route's page component with `props.data = data`. */
  render(data?: Data, init?: ResponseInit): Promise<Response>;
  /** Renders the `_404` page with status 404. */
  renderNotFound(data?: unknown): Promise<Response>;
  /** In middleware: runs the rest of the chain and returns its response. */
  next(): Promise<Response>;
}

/** The props of a page component and of `_app`: the context without its functions. */
export type PageProps<Data = Any, State = Record<string, unknown>> = Omit<
  FreshContext<State, Data>,
  "render" | "next" | "renderNotFound"
>;

/** A request handler `(req, ctx)` (Fresh 1.x signature); a `_middleware` handler is one too. */
export type Handler<Data = Any, State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State, Data>,
) => Response | Promise<Response>;

/** Per-method handlers; a method that is missing answers 405. */
export type Handlers<Data = Any, State = Record<string, unknown>> = {
  [M in KnownMethod]?: Handler<Data, State>;
};

/** Loose shape of any module in `manifest.routes`, so namespace imports satisfy it. */
export interface RouteModuleLike {
  default?: unknown;
  handler?: unknown;
  [name: string]: unknown;
}

/** The generated `fresh.gen.ts` (Fresh 1.x shape). */
export interface Manifest {
  routes: Record<string, RouteModuleLike>;
  islands: Record<string, Record<string, unknown>>;
  baseUrl: string;
}

/** The configuration exported by `fresh.config.ts`. */
export interface FreshConfig {
  /** Options for `Deno.serve` (port, hostname, onListen, onError, signal). */
  server?: Partial<Deno.ServeTcpOptions>;
}
