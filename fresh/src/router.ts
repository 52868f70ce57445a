/**
 * Request → route, layouts and middleware, over a {@linkcode RouteTable}.
 *
 * @module
 */
import type { RenderTarget } from "./render.ts";
import type { AnyComponent, LayoutRoute, PageRoute, RouteTable } from "./routes.ts";
import type { MiddlewareHandler, RouteConfig } from "./types.ts";

/** A matched route and its decoded parameters. */
export interface RouteMatch {
  route: PageRoute;
  params: Record<string, string>;
}

/** Finds the route for a percent-encoded pathname: exact static paths first, then patterns. */
export function matchRoute(table: RouteTable, pathname: string): RouteMatch | null {
  const exact = table.exact.get(pathname);
  if (exact) return { route: exact, params: {} };
  for (const route of table.dynamic) {
    const { prefix, suffix } = route.bounds;
    if (!pathname.startsWith(prefix) || !pathname.endsWith(suffix)) continue;
    // A compiled pattern has at least one parameter, so a match always has groups.
    const groups = route.regexp
      ? route.regexp.exec(pathname)?.groups
      : route.matcher!.exec({ pathname })?.pathname.groups;
    if (!groups) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(groups)) {
      params[name] = decode(value ?? "");
    }
    return { route, params };
  }
  return null;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function contains(folder: string, inner: string): boolean {
  return folder === "" || inner === folder || inner.startsWith(folder + "/");
}

/**
 * The layouts around a page in `folder`, root → leaf, honouring `skipInheritedLayouts` on the
 * page (no layouts) or on a layout (drops the ones above it).
 */
export function layoutsFor(
  table: RouteTable,
  folder: string,
  skipInherited = false,
): LayoutRoute[] {
  if (skipInherited) return [];
  const layouts = table.layouts.filter((layout) => contains(layout.folder, folder));
  const cut = layouts.findLastIndex((layout) => layout.config.skipInheritedLayouts);
  return cut === -1 ? layouts : layouts.slice(cut);
}

/**
 * What to render for a page in `folder`: its layouts and `_app`, unless the page or one of its
 * layouts sets `skipAppWrapper` (then the default html shell wraps it).
 */
export function renderTargetFor(
  table: RouteTable,
  folder: string,
  config: RouteConfig,
  page: AnyComponent,
): RenderTarget {
  const layouts = layoutsFor(table, folder, config.skipInheritedLayouts);
  const skipApp = config.skipAppWrapper || layouts.some((l) => l.config.skipAppWrapper);
  return { page, layouts, app: skipApp ? null : table.app };
}

/**
 * The middleware chain, outer folder → inner folder, array order within a file. A route gets the
 * middleware of its folder and every folder above (route groups included); a request without a
 * route (static file, 404) gets those whose folder is a prefix of the URL, root included.
 */
export function middlewaresFor(
  table: RouteTable,
  route: PageRoute | null,
  pathname: string,
): MiddlewareHandler[] {
  if (!route) {
    return table.middlewares.filter((mw) => mw.matcher?.test({ pathname }) ?? false)
      .flatMap((mw) => mw.handlers);
  }
  // A route's chain depends only on its folder: worked out once per route, not per request.
  let chain = routeChains.get(route);
  if (!chain) {
    chain = table.middlewares.filter((mw) => contains(mw.folder, route.folder))
      .flatMap((mw) => mw.handlers);
    routeChains.set(route, chain);
  }
  return chain;
}

const routeChains = new WeakMap<PageRoute, MiddlewareHandler[]>();
