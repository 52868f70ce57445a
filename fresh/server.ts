/**
 * The server side of our Fresh 1.x-compatible layer (`$fresh/server.ts`): `start`,
 * `createHandler`, `defineConfig`, `HttpError` and the route types. Handlers take `(req, ctx)`.
 *
 * @module
 */
import type { FreshConfig } from "./src/types.ts";

export { createHandler, start } from "./src/start.ts";
export { HttpError } from "./src/error.ts";
export type { FreshContext, Handler, Handlers, Manifest, PageProps } from "./src/types.ts";

/** Returns `config` unchanged; exists so `fresh.config.ts` is type-checked. */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}
