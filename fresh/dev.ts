/**
 * The dev entry (`$fresh/dev.ts`), called by the project's `dev.ts`: regenerates `fresh.gen.ts`,
 * then, unless the first argument is `manifest`, starts the app (`main.ts`).
 *
 * @module
 */
import { dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { writeManifest } from "./src/manifest.ts";
import type { FreshConfig } from "./src/types.ts";

/**
 * Runs the dev command for the project whose `dev.ts` is at `base` (its `import.meta.url`).
 *
 * @param entrypoint the server module to start, relative to `base`
 */
async function dev(
  base: string,
  entrypoint: string,
  _config: FreshConfig = {},
  args: string[] = Deno.args,
): Promise<void> {
  const manifest = await writeManifest(dirname(fileURLToPath(base)));
  if (manifest.changed) {
    console.log(
      `Fresh: wrote ${relative(Deno.cwd(), manifest.path)} ` +
        `(${manifest.routes.length} routes, ${manifest.islands.length} island files)`,
    );
  }
  if (args[0] !== "manifest") await import(new URL(entrypoint, base).href);
}

export default dev;
