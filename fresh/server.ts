/**
 * The server side of our Fresh 1.x-compatible layer (`$fresh/server.ts`): `start`,
 * `createHandler`, `defineConfig`, `HttpError` and the route types. Handlers take `(req, ctx)`.
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
import type { FreshConfig } from "./src/types.ts";

export { createHandler, start } from "./src/start.ts";
export { HttpError } from "./src/error.ts";
export type {
  FreshConfig,
  FreshContext,
  Handler,
  Handlers,
  Manifest,
  PageProps,
} from "./src/types.ts";

/**
 * Returns `config` unchanged; exists so `fresh.config.ts` is type-checked.
 *
 * @example
 * ```ts
 * import { defineConfig } from "./server.ts";
 * export default defineConfig({ server: { port: 8000 } });
 * ```
 */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}
