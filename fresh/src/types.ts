/**
 * The Fresh 1.x types our routes, islands and config are written against. Names and shapes follow
 * Fresh 1.7 so that swapping in real Fresh is an import-map change.
 *
 * @module
 */
import type { ComponentChildren, ComponentType } from "preact";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The HTTP methods a {@linkcode Handlers} object can answer. */
export type KnownMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "OPTIONS" | "PATCH";

/** Where a request is headed, as seen by middleware. */
export type Destination = "internal" | "static" | "route" | "notFound";

/** Options of `ctx.render(data, options)`: the response's status and headers. */
export interface RenderOptions {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

/**
 * The second argument of every handler, middleware and async page (Fresh 1.x `FreshContext`).
 *
 * @typeParam State what middleware puts in `ctx.state`
 * @typeParam Data what the handler passes to `ctx.render(data)`
 */
export interface FreshContext<State = Record<string, unknown>, Data = Any, NotFoundData = Data> {
  /** The request URL, parsed. */
  url: URL;
  /** Route parameters: `[id]` → `params.id`; a catch-all `[...rest]` gives `"a/b"` or `""`. */
  params: Record<string, string>;
  /** Per-request state shared by middleware, handlers and pages. */
  state: State;
  /** The matched route pattern, e.g. `/runs/:id`. */
  route: string;
  /** @deprecated Use {@linkcode FreshContext.route}. */
  pattern: string;
  /** Always `""`: base paths are not supported. */
  basePath: string;
  /** The peer address (a placeholder when the handler is called without connection info). */
  remoteAddr: Deno.Addr;
  /** Always `false`: partials are not supported. */
  isPartial: boolean;
  /** Where the request is headed. */
  destination: Destination;
  /** The resolved configuration. */
  config: ResolvedFreshConfig;
  /** The data given to `ctx.render(data)`; `undefined` before rendering. */
  data: Data;
  /** The error being shown, on the `_500` page. */
  error?: unknown;
  /** In `_app` and layouts: the inner component to render. */
  Component: ComponentType<Record<never, never>>;
  /** Renders the route's page component with `props.data = data`. */
  render(data?: Data, options?: RenderOptions): Promise<Response>;
  /** Renders the `_404` page with status 404. */
  renderNotFound(data?: NotFoundData): Promise<Response>;
  /** In middleware: runs the rest of the chain and returns its response. */
  next(): Promise<Response>;
}

/** @deprecated Use {@linkcode FreshContext}. */
export type HandlerContext<Data = Any, State = Record<string, unknown>> = FreshContext<
  State,
  Data
>;

/** @deprecated Use {@linkcode FreshContext}. */
export type MiddlewareHandlerContext<State = Record<string, unknown>> = FreshContext<State>;

/** The context of an async page component: no `render` or `next`. */
export type RouteContext<Data = Any, State = Record<string, unknown>> = Omit<
  FreshContext<State, Data>,
  "next" | "render"
>;

/** The props of a page component (the context without its functions). */
export type PageProps<Data = Any, State = Record<string, unknown>> = Omit<
  FreshContext<State, Data>,
  "render" | "next" | "renderNotFound"
>;

/** The props of `_app`: a page's props plus the `Component` to wrap. */
export type AppProps<Data = Any, State = Record<string, unknown>> = PageProps<Data, State>;

/** The props of a `_layout`: a page's props plus the inner `Component`. */
export type LayoutProps<Data = Any, State = Record<string, unknown>> = PageProps<Data, State>;

/** The props of the `_500` page: `error` is what was thrown. */
export type ErrorPageProps = PageProps<unknown> & { error: unknown };

/** A request handler `(req, ctx)` (Fresh 1.x signature). */
export type Handler<Data = Any, State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State, Data>,
) => Response | Promise<Response>;

/** Per-method handlers; a method that is missing answers 405. */
export type Handlers<Data = Any, State = Record<string, unknown>> = {
  [M in KnownMethod]?: Handler<Data, State>;
};

/** A `_middleware` handler; call `ctx.next()` to continue. */
export type MiddlewareHandler<State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State>,
) => Response | Promise<Response>;

/** What a `_middleware` module exports. */
export interface MiddlewareModule<State = Any> {
  handler: MiddlewareHandler<State> | MiddlewareHandler<State>[];
}

/** An async page component `(req, ctx)`, which may also return a `Response`. */
export type AsyncRoute<Data = Any, State = Record<string, unknown>> = (
  req: Request,
  ctx: RouteContext<Data, State>,
) => Promise<ComponentChildren | Response>;

/** Per-route options exported as `config`. */
export interface RouteConfig {
  /** A URLPattern pathname that replaces the one derived from the file name. */
  routeOverride?: string;
  /** Accepted for compatibility; CSP is not implemented. */
  csp?: boolean;
  /** Skip every `_layout` above this file. */
  skipInheritedLayouts?: boolean;
  /** Render without `_app`. */
  skipAppWrapper?: boolean;
}

/** Loose shape of any module in `manifest.routes`, so namespace imports satisfy it. */
export interface RouteModuleLike {
  default?: unknown;
  handler?: unknown;
  config?: RouteConfig;
  [name: string]: unknown;
}

/** The generated `fresh.gen.ts` (Fresh 1.x shape). */
export interface Manifest {
  routes: Record<string, RouteModuleLike>;
  islands: Record<string, Record<string, unknown>>;
  baseUrl: string;
}

/** The user configuration exported by `fresh.config.ts`. */
export interface FreshConfig {
  build?: {
    /** Where `deno task build` writes the client bundle. @default "<root>/_fresh" */
    outDir?: string;
  };
  /** Folder served at `/`. @default "<root>/static" */
  staticDir?: string;
  router?: {
    /** Keep trailing slashes instead of redirecting `/a/` to `/a`. @default false */
    trailingSlash?: boolean;
    /** Route and island files the manifest generator skips. @default /[._]test\.[jt]sx?$/ */
    ignoreFilePattern?: RegExp;
  };
  /** Options for `Deno.serve` (port, hostname, onListen, signal). */
  server?: Partial<Deno.ServeTcpOptions>;
  /** @deprecated Use `server.port`. */
  port?: number;
  /** @deprecated Use `server.hostname`. */
  hostname?: string;
}

/** The configuration after defaults are applied (frozen). */
export interface ResolvedFreshConfig {
  readonly root: string;
  readonly build: { readonly outDir: string };
  readonly staticDir: string;
  readonly router: { readonly trailingSlash: boolean; readonly ignoreFilePattern: RegExp };
  readonly server: Partial<Deno.ServeTcpOptions>;
  readonly dev: boolean;
}
