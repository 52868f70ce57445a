/**
 * Reads `manifest.routes` into a route table: pages with their patterns in match order, layouts,
 * middleware, and the `_app`, `_404` and `_500` pages. Mistakes in route modules fail here, at
 * start-up, with the file named.
 *
 * @module
 */
import type { ComponentType } from "preact";
import {
  compareRoutePaths,
  compileSimplePattern,
  isDynamicPattern,
  isGroup,
  literalBounds,
  pathToPattern,
  stripRoutePath,
} from "./route_pattern.ts";
import type {
  Handler,
  Handlers,
  Manifest,
  MiddlewareHandler,
  RouteConfig,
  RouteModuleLike,
} from "./types.ts";

// deno-lint-ignore no-explicit-any
export type AnyComponent = ComponentType<any>;

/** A page or handler-only route. */
export interface PageRoute {
  /** Manifest key, e.g. `./routes/blog/[id].tsx`. */
  file: string;
  /** The file's folder relative to `routes/` (groups kept): `""`, `blog`, `(site)/docs`. */
  folder: string;
  pattern: string;
  /** Null for a static pattern, matched by exact string. */
  matcher: URLPattern | null;
  /** What a pathname must start and end with to be worth `matcher` ({@linkcode literalBounds}). */
  bounds: { prefix: string; suffix: string };
  /** `matcher` as a RegExp with named groups, when the pattern is simple enough. */
  regexp: RegExp | null;
  component?: AnyComponent;
  handler: Handler | Handlers;
  config: RouteConfig;
}

/** A `_layout` file. */
export interface LayoutRoute {
  folder: string;
  component: AnyComponent;
  config: RouteConfig;
}

/** A `_middleware` file. */
export interface MiddlewareRoute {
  folder: string;
  handlers: MiddlewareHandler[];
  /** Matches URLs under the folder, for requests without a route; null inside a group. */
  matcher: URLPattern | null;
}

/** `_404` or `_500`. */
export interface SpecialPage {
  file: string | null;
  component?: AnyComponent;
  handler?: Handler | Handlers;
  config: RouteConfig;
}

/** Everything `manifest.routes` declares, validated. */
export interface RouteTable {
  /** Static patterns by percent-encoded path. */
  exact: Map<string, PageRoute>;
  /** Dynamic patterns in precedence order. */
  dynamic: PageRoute[];
  layouts: LayoutRoute[];
  middlewares: MiddlewareRoute[];
  app: AnyComponent | null;
  notFound: SpecialPage;
  error: SpecialPage;
}

const ROOT_ONLY = new Set(["_app", "_404", "_500"]);

/**
 * Builds the route table.
 *
 * @throws {Error} naming the file, for `handlers` exports, modules without handler or page,
 *   misplaced special files and route conflicts
 */
export function buildRouteTable(manifest: Manifest): RouteTable {
  const table: RouteTable = {
    exact: new Map(),
    dynamic: [],
    layouts: [],
    middlewares: [],
    app: null,
    notFound: { file: null, config: {} },
    error: { file: null, config: {} },
  };
  const files = Object.keys(manifest.routes).sort((a, b) =>
    compareRoutePaths(stripRoutePath(a), stripRoutePath(b))
  );
  const patterns = new Map<string, string>();
  for (const file of files) {
    if (!file.startsWith("./routes/")) {
      throw new Error(`Route "${file}" must be a path starting with "./routes/"`);
    }
    const module = manifest.routes[file];
    const path = stripRoutePath(file);
    const segments = path.split("/");
    const base = segments.pop()!;
    const folder = segments.join("/");
    const config: RouteConfig = module.config ?? {};
    if (base.startsWith("_")) {
      if (ROOT_ONLY.has(base) && folder === "") addSpecial(table, base, file, module);
      else if (base === "_layout") {
        table.layouts.push({ folder, component: component(file, module, true)!, config });
      } else if (base === "_middleware") {
        table.middlewares.push(middleware(file, folder, module));
      } else {
        throw new Error(
          `Route "${file}" has an unsupported special name: use _app, _404 or _500 directly ` +
            `in routes/, or _layout and _middleware in any folder`,
        );
      }
      continue;
    }
    const pattern = config.routeOverride ?? pathToPattern(path);
    const other = patterns.get(pattern);
    if (other !== undefined) {
      throw new Error(
        `Route conflict detected: "${other}" and "${file}" both answer "${pattern}"; ` +
          `rename or remove one of them`,
      );
    }
    patterns.set(pattern, file);
    const route: PageRoute = {
      file,
      folder,
      pattern,
      matcher: isDynamicPattern(pattern) ? new URLPattern({ pathname: pattern }) : null,
      bounds: literalBounds(pattern),
      regexp: isDynamicPattern(pattern) ? compileSimplePattern(pattern) : null,
      component: component(file, module, false),
      handler: handlerOf(file, module),
      config,
    };
    if (route.matcher) table.dynamic.push(route);
    else table.exact.set(new URL(pattern, "http://localhost").pathname, route);
  }
  const depth = (folder: string) => folder === "" ? 0 : folder.split("/").length;
  table.layouts.sort((a, b) => depth(a.folder) - depth(b.folder));
  table.middlewares.sort((a, b) => depth(a.folder) - depth(b.folder));
  return table;
}

function addSpecial(table: RouteTable, base: string, file: string, module: RouteModuleLike): void {
  if (base === "_app") {
    table.app = component(file, module, true)!;
    return;
  }
  const page: SpecialPage = {
    file,
    component: component(file, module, false),
    handler: module.handler === undefined ? undefined : handlerOf(file, module),
    config: module.config ?? {},
  };
  if (base === "_404") table.notFound = page;
  else table.error = page;
}

function component(
  file: string,
  module: RouteModuleLike,
  required: boolean,
): AnyComponent | undefined {
  const value = module.default;
  if (value === undefined && !required) return undefined;
  if (typeof value !== "function") {
    throw new Error(`Route "${file}" must default-export a component function`);
  }
  return value as AnyComponent;
}

function handlerOf(file: string, module: RouteModuleLike): Handler | Handlers {
  if (module.handler === undefined && "handlers" in module) {
    throw new Error(
      `Route "${file}" exports "handlers"; did you mean "handler"? ` +
        `(export const handler: Handlers = { GET(req, ctx) { … } })`,
    );
  }
  const handler = module.handler;
  if (handler === undefined) {
    if (module.default === undefined) {
      throw new Error(`Route "${file}" exports neither a "handler" nor a default component`);
    }
    return {};
  }
  if (typeof handler === "function") return handler as Handler;
  if (typeof handler === "object" && handler !== null && !Array.isArray(handler)) {
    for (const [method, fn] of Object.entries(handler)) {
      if (typeof fn !== "function") {
        throw new Error(`Route "${file}" has a handler.${method} that is not a function`);
      }
    }
    return handler as Handlers;
  }
  throw new Error(`Route "${file}" exports a "handler" that is neither a function nor an object`);
}

function middleware(file: string, folder: string, module: RouteModuleLike): MiddlewareRoute {
  const handler = module.handler;
  const handlers = Array.isArray(handler) ? handler : [handler];
  if (handlers.length === 0 || handlers.some((h) => typeof h !== "function")) {
    throw new Error(
      `Middleware "${file}" must export "handler" as a function or an array of functions`,
    );
  }
  const inGroup = folder.split("/").some(isGroup);
  const base = folder === "" ? "" : pathToPattern(folder);
  return {
    folder,
    handlers: handlers as MiddlewareHandler[],
    matcher: inGroup ? null : new URLPattern({ pathname: `${base}{/*}?` }),
  };
}
