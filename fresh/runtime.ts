/**
 * Browser-safe helpers for pages and islands (`$fresh/runtime.ts`).
 *
 * @example Guard browser-only code in an island
 * ```ts
 * import { asset, IS_BROWSER } from "./runtime.ts";
 * const logo = asset("/logo.svg"); // "/logo.svg?__frsh_c=<build id>" once the server started
 * if (IS_BROWSER) console.log("hydrated", logo);
 * ```
 *
 * @module
 */
import { getBuildId } from "./src/build_id.ts";

/** True in the browser, false while rendering on the server. */
export const IS_BROWSER: boolean = typeof document !== "undefined";

/**
 * Adds a cache-busting `__frsh_c` query to a local absolute path (`/logo.svg`); the server then
 * serves it with a one-year immutable `Cache-Control`. Other URLs are returned unchanged.
 */
export function asset(path: string): string {
  const id = getBuildId();
  if (!path.startsWith("/") || path.startsWith("//") || id === "") return path;
  const url = new URL(path, "https://fresh.local");
  if (url.searchParams.has("__frsh_c")) return path;
  url.searchParams.set("__frsh_c", id);
  return url.pathname + url.search + url.hash;
}
