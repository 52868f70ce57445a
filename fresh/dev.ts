/**
 * The dev entry (`$fresh/dev.ts`), called by the project's `dev.ts`. It regenerates
 * `fresh.gen.ts`, then by its first argument:
 * - `manifest`: stops there;
 * - `build`: writes the client bundle to `_fresh/` for production;
 * - nothing: starts the app (`main.ts`) as a dev server, which ignores `_fresh/`.
 *
 * @example The project's dev.ts
 * ```ts ignore
 * import dev from "$fresh/dev.ts";
 * import config from "./fresh.config.ts";
 * await dev(import.meta.url, "./main.ts", config);
 * ```
 *
 * @module
 */
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildClientBundle, writeSnapshot } from "./src/bundle.ts";
import { enableDevMode, resolveConfig } from "./src/config.ts";
import { registerIslands } from "./src/islands.ts";
import { writeManifest } from "./src/manifest.ts";
import { stoppedBySignal } from "./src/start.ts";
import type { FreshConfig, Manifest } from "./src/types.ts";

export { collectEntries, renderManifest, writeManifest } from "./src/manifest.ts";

/**
 * Runs the dev command for the project whose `dev.ts` is at `base` (its `import.meta.url`).
 *
 * @param entrypoint the server module to start in dev mode, relative to `base`
 */
export async function dev(
  base: string,
  entrypoint: string,
  config: FreshConfig = {},
  args: string[] = Deno.args,
): Promise<void> {
  const root = dirname(fileURLToPath(base));
  const manifest = await writeManifest(root, config.router?.ignoreFilePattern);
  if (manifest.changed) {
    console.log(
      `Fresh: wrote ${relative(Deno.cwd(), manifest.path)} ` +
        `(${manifest.routes.length} routes, ${manifest.islands.length} island files)`,
    );
  }
  if (args[0] === "manifest") return;
  if (args[0] === "build") {
    await build(root, config);
    return;
  }
  enableDevMode();
  await import(new URL(entrypoint, base).href);
  // `deno run --watch` would otherwise keep waiting for file changes after a clean Ctrl-C stop.
  if (stoppedBySignal()) Deno.exit(0);
}

/**
 * Bundles the islands of the manifest in `root` into `config.build.outDir` (`_fresh/`).
 *
 * @returns the bundle's URL path and sizes, or null when there are no islands
 */
export async function build(
  root: string,
  config: FreshConfig = {},
): Promise<{ mainPath: string; bytes: number; gzipBytes: number } | null> {
  const url = pathToFileURL(join(root, "fresh.gen.ts")).href;
  const manifest: Manifest = (await import(url)).default;
  const resolved = resolveConfig(manifest, config);
  const islands = registerIslands(manifest.islands, manifest.baseUrl);
  await Deno.remove(resolved.build.outDir, { recursive: true }).catch(() => {});
  if (islands.length === 0) {
    console.log("Fresh: no islands, so there is no client bundle to build");
    return null;
  }
  const started = performance.now();
  const { bundle, inputs } = await buildClientBundle(islands, resolved.root, true);
  await writeSnapshot(resolved.build.outDir, bundle, islands, inputs);
  const code = bundle.files.get("main.js")!;
  const gzipBytes = await gzipSize(code);
  console.log(
    `Fresh: bundled ${islands.length} islands into ${relative(Deno.cwd(), resolved.build.outDir)}` +
      `${bundle.mainPath.slice("/_frsh".length)} (${kb(code.byteLength)}, ${kb(gzipBytes)} ` +
      `gzipped) in ${Math.round(performance.now() - started)} ms`,
  );
  return { mainPath: bundle.mainPath, bytes: code.byteLength, gzipBytes };
}

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

export default dev;
