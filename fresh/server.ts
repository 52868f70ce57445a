/**
 * The server side of our Fresh 1.x-compatible layer (`$fresh/server.ts`): `start`,
 * `createHandler`, the `define*` helpers and the route types. Handlers take `(req, ctx)`.
 *
 * @example A route with a handler and a page
 * ```tsx
 * import type { Handlers, PageProps } from "./server.ts";
 *
 * export const handler: Handlers<{ id: string }> = {
 *   GET(_req, ctx) {
 *     return ctx.render({ id: ctx.params.id });
 *   },
 * };
 *
 * export default function Run({ data }: PageProps<{ id: string }>) {
 *   return <h1>Run {data.id}</h1>;
 * }
 * ```
 *
 * @module
 */
export { createHandler, start } from "./src/start.ts";
export type { ServeHandler } from "./src/handler.ts";
export { defineConfig } from "./src/config.ts";
export { defineApp, defineLayout, defineRoute } from "./src/defines.ts";
export { IslandPropsError } from "./src/serializer.ts";
export { HttpError } from "./src/error.ts";
export type {
  AppProps,
  AsyncRoute,
  Destination,
  ErrorPageProps,
  FreshConfig,
  FreshContext,
  Handler,
  HandlerContext,
  Handlers,
  KnownMethod,
  LayoutProps,
  Manifest,
  MiddlewareHandler,
  MiddlewareHandlerContext,
  MiddlewareModule,
  PageProps,
  RenderOptions,
  ResolvedFreshConfig,
  RouteConfig,
  RouteContext,
} from "./src/types.ts";
