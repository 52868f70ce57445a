/**
 * The route table: `manifest.routes` read into routes with their URL patterns (Fresh 1.x file name
 * rules: `index`, `[param]`, `[...rest]`), the `_middleware` files and the `_app`, `_404` and
 * `_500` pages; and a request path matched against it. Mistakes in route modules fail at start-up,
 * naming the file.
 *
 * @module
 */
import type { ComponentType } from "preact";
import type { Handler, Handlers, Manifest, RouteModuleLike } from "./types.ts";

// deno-lint-ignore no-explicit-any
export type AnyComponent = ComponentType<any>;

/** A path segment: literal text (percent-encoded, as in a URL), `[name]` or `[...name]`. */
type Segment = { literal: string } | { param: string } | { rest: string };

/** A page or handler-only route. */
export interface Route {
  /** The URL pattern, e.g. `/runs/:id` or `/api/:rest*`. */
  pattern: string;
  segments: Segment[];
  file: string;
  component?: AnyComponent;
  handler: Handler | Handlers;
}

/** A `_middleware` file: its handlers run for everything under its folder. */
interface Middleware {
  segments: Segment[];
  handlers: Handler[];
}

/** Everything `manifest.routes` declares, validated. */
export interface RouteTable {
  /** Routes without parameters, by pathname. */
  exact: Map<string, Route>;
  /** Routes with parameters, most specific first. */
  dynamic: Route[];
  /** Outer folder → inner folder. */
  middlewares: Middleware[];
  app?: AnyComponent;
  notFound?: AnyComponent;
  error: { component?: AnyComponent; handler?: Handler };
}

/** A matched route and its decoded parameters. */
export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/**
 * Builds the route table.
 *
 * @throws {Error} naming the file, for `handlers` exports, modules without handler or page,
 *   unsupported file names and route conflicts
 */
export function buildRouteTable(manifest: Manifest): RouteTable {
  const table: RouteTable = { exact: new Map(), dynamic: [], middlewares: [], error: {} };
  assertNoRouteConflicts(Object.keys(manifest.routes));
  for (const [file, module] of Object.entries(manifest.routes)) {
    const path = routePath(file);
    const folder = path.slice(0, Math.max(0, path.lastIndexOf("/")));
    const special = /^_\w+$/.exec(path)?.[0];
    const fail = (problem: string) => new Error(`Route "${file}" ${problem}`);
    if (/(^|\/)_middleware$/.test(path)) {
      const handlers = [module.handler].flat() as Handler[];
      if (handlers.some((h) => typeof h !== "function")) {
        throw fail('must export "handler" as a function or an array of functions');
      }
      table.middlewares.push({ segments: parsePath(folder, file), handlers });
    } else if (special === "_app" || special === "_404") {
      if (typeof module.default !== "function") throw fail("must default-export a component");
      if (module.handler !== undefined) throw fail('may not export a "handler"');
      table[special === "_app" ? "app" : "notFound"] = module.default as AnyComponent;
    } else if (special === "_500") {
      if (!["function", "undefined"].includes(typeof module.handler)) {
        throw fail('may export "handler" only as a function');
      }
      table.error = { component: componentOf(file, module), handler: module.handler as Handler };
    } else if (/(^|\/)_/.test(path)) {
      throw fail("is not supported: use _app, _404, _500 in routes/ or _middleware anywhere");
    } else {
      const segments = parsePath(path, file);
      const route: Route = {
        pattern: "/" + segments.map(segmentPattern).join("/"),
        segments,
        file,
        component: componentOf(file, module),
        handler: handlerOf(file, module),
      };
      if (segments.every((s) => "literal" in s)) table.exact.set(route.pattern, route);
      else table.dynamic.push(route);
    }
  }
  table.dynamic.sort(bySpecificity);
  table.middlewares.sort((a, b) => a.segments.length - b.segments.length);
  return table;
}

/** Finds the route for a pathname (as in the URL): exact paths first, then patterns in order. */
export function matchRoute(table: RouteTable, pathname: string): RouteMatch | null {
  const exact = table.exact.get(pathname);
  if (exact) return { route: exact, params: {} };
  const parts = splitPath(pathname);
  for (const route of table.dynamic) {
    const params = matchSegments(route.segments, parts, false);
    if (params) return { route, params };
  }
  return null;
}

/**
 * The middleware chain, outer folder → inner folder, array order within a file: every
 * `_middleware` whose folder the URL is under (so root middleware always runs, for static files
 * and 404s too).
 */
export function middlewaresFor(table: RouteTable, pathname: string): Handler[] {
  const parts = splitPath(pathname);
  return table.middlewares.filter((mw) => matchSegments(mw.segments, parts, true))
    .flatMap((mw) => mw.handlers);
}

/**
 * Throws one error naming both files when two route files answer the same URL pattern
 * (`a.ts` + `a.tsx`, `a.tsx` + `a/index.tsx`).
 */
export function assertNoRouteConflicts(files: string[]): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    const path = routePath(file);
    // `_middleware` files may repeat per folder; only pages compete for a URL.
    const key = /(^|\/)_\w+$/.test(path)
      ? path
      : "/" + parsePath(path, file).map(segmentPattern).join("/");
    const other = seen.get(key);
    if (other !== undefined) {
      throw new Error(
        `Route conflict detected: "${other}" and "${file}" both answer "${key}"; ` +
          "rename or remove one of them",
      );
    }
    seen.set(key, file);
  }
}

/** `./routes/runs/[id].tsx` → `runs/[id]`. */
function routePath(file: string): string {
  if (!file.startsWith("./routes/")) {
    throw new Error(`Route "${file}" must be a path starting with "./routes/"`);
  }
  return file.slice("./routes/".length).replace(/\.[jt]sx?$/, "");
}

/**
 * A path relative to `routes/` → segments; a last `index` is dropped.
 *
 * @throws {SyntaxError} for what Intake does not use: mixed (`a[b]`) or optional (`[[b]]`)
 *   segments, route groups, a catch-all before the end
 */
function parsePath(path: string, file: string): Segment[] {
  const parts = path.split("/").filter((part) => part !== "");
  if (parts.at(-1) === "index") parts.pop();
  return parts.map((part, i): Segment => {
    const param = /^\[(\.\.\.)?([A-Za-z_$][\w$]*)\]$/.exec(part);
    if (param?.[1] && i === parts.length - 1) return { rest: param[2] };
    if (param && !param[1]) return { param: param[2] };
    if (param || /[[\]()]/.test(part)) {
      throw new SyntaxError(
        `Route "${file}": segment "${part}" is not supported; use a name, [name] or, last, ` +
          "[...name]",
      );
    }
    return { literal: new URL("/" + part, "http://localhost").pathname.slice(1) };
  });
}

function segmentPattern(s: Segment): string {
  return "literal" in s ? s.literal : "param" in s ? `:${s.param}` : `:${s.rest}*`;
}

function splitPath(pathname: string): string[] {
  return pathname === "/" ? [] : pathname.slice(1).split("/");
}

/**
 * Matches path parts against segments: a parameter takes one non-empty part, a catch-all the
 * rest (none or more). With `prefix`, longer paths match too (a middleware's folder).
 */
function matchSegments(
  segments: Segment[],
  parts: string[],
  prefix: boolean,
): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    if ("rest" in segment) {
      const rest = parts.slice(i);
      if (rest.includes("")) return null;
      params[segment.rest] = decode(rest.join("/"));
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === "") return null;
    if ("param" in segment) params[segment.param] = decode(part);
    else if (part !== segment.literal) return null;
  }
  return prefix || parts.length === segments.length ? params : null;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Segment by segment: literal before `[param]` before `[...rest]`; then file order. */
function bySpecificity(a: Route, b: Route): number {
  const rank = (s: Segment | undefined) => !s ? -1 : "literal" in s ? 0 : "param" in s ? 1 : 2;
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return a.file < b.file ? -1 : 1;
}

function componentOf(file: string, module: RouteModuleLike): AnyComponent | undefined {
  if (module.default === undefined || typeof module.default === "function") {
    return module.default as AnyComponent | undefined;
  }
  throw new Error(`Route "${file}" must default-export a component function`);
}

function handlerOf(file: string, module: RouteModuleLike): Handler | Handlers {
  const { handler } = module;
  if ("handlers" in module) {
    throw new Error(`Route "${file}" exports "handlers"; did you mean "handler"?`);
  } else if (handler === undefined && module.default === undefined) {
    throw new Error(`Route "${file}" exports neither a "handler" nor a default component`);
  }
  const valid = handler === undefined || typeof handler === "function" ||
    (typeof handler === "object" && handler !== null && !Array.isArray(handler) &&
      Object.values(handler).every((fn) => typeof fn === "function"));
  if (!valid) {
    throw new Error(
      `Route "${file}" exports a "handler" that is not a function or an object of them`,
    );
  }
  return (handler ?? {}) as Handler | Handlers;
}
