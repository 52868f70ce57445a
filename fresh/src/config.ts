/**
 * `defineConfig` and the resolution of a user config into a frozen, fully defaulted one.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FreshConfig, Manifest, ResolvedFreshConfig } from "./types.ts";

/** Skips `x_test.ts` and `x.test.tsx` files by default, as Fresh does. */
export const DEFAULT_IGNORE = /[._]test\.[jt]sx?$/;

let devMode = false;

/** Marks this process as a dev server: the prebuilt `_fresh/` bundle is ignored. */
export function enableDevMode(): void {
  devMode = true;
}

/**
 * Returns `config` unchanged; exists so `fresh.config.ts` is type-checked.
 *
 * @example
 * ```ts
 * import { defineConfig } from "./config.ts";
 * export default defineConfig({ server: { port: 8000 } });
 * ```
 */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}

/** Applies defaults relative to the manifest's folder and freezes the result. */
export function resolveConfig(manifest: Manifest, config: FreshConfig = {}): ResolvedFreshConfig {
  const root = dirname(fileURLToPath(manifest.baseUrl));
  const inRoot = (path: string) => isAbsolute(path) ? path : join(root, path);
  const server = { ...config.server };
  server.port ??= config.port;
  server.hostname ??= config.hostname;
  return Object.freeze({
    root,
    build: Object.freeze({ outDir: inRoot(config.build?.outDir ?? "_fresh") }),
    staticDir: inRoot(config.staticDir ?? "static"),
    router: Object.freeze({
      trailingSlash: config.router?.trailingSlash ?? false,
      ignoreFilePattern: config.router?.ignoreFilePattern ?? DEFAULT_IGNORE,
    }),
    server: Object.freeze(server),
    dev: devMode,
  });
}
