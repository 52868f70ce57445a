/**
 * `defineRoute`, `defineLayout` and `defineApp`: typed helpers that turn a `(req, ctx)` function
 * into an async page component, which Fresh calls with the request and context.
 *
 * @module
 */
import type { ComponentChildren } from "preact";
import type { AsyncRoute, RouteContext } from "./types.ts";

type RouteFn<State> = (
  req: Request,
  ctx: RouteContext<void, State>,
) => ComponentChildren | Response | Promise<ComponentChildren | Response>;

function toAsync<State>(fn: RouteFn<State>): AsyncRoute<void, State> {
  // Fresh tells `(req, ctx)` components from props components by being async.
  if (fn.constructor.name === "AsyncFunction") return fn as AsyncRoute<void, State>;
  return async (req, ctx) => await fn(req, ctx);
}

/**
 * Defines a page as `(req, ctx)`; it may return JSX or a `Response`.
 *
 * @example
 * ```tsx
 * import { defineRoute } from "./defines.ts";
 * export default defineRoute((_req, ctx) => <p>Run {ctx.params.id}</p>);
 * ```
 */
export function defineRoute<State = Record<string, unknown>>(
  fn: RouteFn<State>,
): AsyncRoute<void, State> {
  return toAsync(fn);
}

/** Defines a `_layout` as `(req, ctx)`; render `<ctx.Component />` for the inner content. */
export function defineLayout<State = Record<string, unknown>>(
  fn: RouteFn<State>,
): AsyncRoute<void, State> {
  return toAsync(fn);
}

/** Defines `_app` as `(req, ctx)`; render `<ctx.Component />` for the page. */
export function defineApp<State = Record<string, unknown>>(
  fn: RouteFn<State>,
): AsyncRoute<void, State> {
  return toAsync(fn);
}
