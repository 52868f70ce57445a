/**
 * The client bundle: one ES module holding preact, the reviver and every island, built with
 * `deno bundle` (Deno's own esbuild, which reads our import map and the offline npm cache) into
 * memory. One bundle means one preact copy, so hooks work across islands.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { hexDigest } from "./files.ts";
import type { Island } from "./islands.ts";

/** A built bundle, served under `/_frsh/js/<hash>/`. */
export interface ClientBundle {
  /** Content hash of `main.js` and `boot.js`. */
  hash: string;
  /** File name → bytes. */
  files: ReadonlyMap<string, Uint8Array>;
  /** URL path of the entry module, e.g. `/_frsh/js/3f2a…/main.js`. */
  mainPath: string;
  /** URL path of the boot module a page loads with `<script type="module" src>`. */
  bootPath: string;
}

const REVIVER_URL = new URL("./client/reviver.ts", import.meta.url).href;

/**
 * `boot.js`: finds the page's state script and boots the islands. It is a file of its own, not an
 * inline script, so pages work under a Content-Security-Policy of `script-src 'self'` without
 * nonces or hashes.
 */
export const BOOT_SOURCE = `import { boot } from "./main.js";
const state = document.querySelector('script[type="application/json"][id^="__FRSH_STATE_"]');
if (state) boot(state.id);
`;

/** The generated entry: imports the reviver and each island, exports `boot()`. */
export function entrySource(islands: Island[]): string {
  const imports = islands.map((island, i) =>
    `import { ${island.exportName} as $${i} } from ${JSON.stringify(island.url)};`
  );
  const pairs = islands.map((island, i) => `  ${JSON.stringify(island.id)}: $${i},`);
  return [
    `import { revive } from ${JSON.stringify(REVIVER_URL)};`,
    ...imports,
    `const islands = {\n${pairs.join("\n")}\n};`,
    "export function boot(stateId: string): void {\n  revive(islands, stateId);\n}\n",
  ].join("\n");
}

/**
 * Returns a function that builds the bundle on its first call and then answers from memory; a
 * failed build is retried by the next call instead of being cached forever.
 */
export function bundleLoader(islands: Island[], root: string): () => Promise<ClientBundle> {
  let pending: Promise<ClientBundle> | null = null;
  return () => {
    if (islands.length === 0) return Promise.reject(new Error("There are no islands to bundle"));
    pending ??= buildClientBundle(islands, root).catch((err) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}

/**
 * Bundles the islands with `deno bundle --platform browser --minify`.
 *
 * @param root the project folder; its `deno.json` (or the nearest above) supplies the import map
 * @throws {Error} with `deno bundle`'s output when bundling fails
 */
export async function buildClientBundle(islands: Island[], root: string): Promise<ClientBundle> {
  const config = await findDenoConfig(root);
  const tmp = await Deno.makeTempDir({ prefix: "fresh_bundle_" });
  try {
    const entry = join(tmp, "client_entry.ts");
    const output = join(tmp, "main.js");
    await Deno.writeTextFile(entry, entrySource(islands));
    const args = ["bundle", ...(config ? ["--config", config] : []), "--quiet"];
    args.push("--platform=browser", "--format=esm", "--minify", "--output", output, entry);
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!out.success) {
      const message = new TextDecoder().decode(out.stderr).trim();
      throw new Error(`Cannot bundle the islands: "deno bundle" failed:\n${message}`);
    }
    // The hash covers `boot.js` too, since both files are cached forever.
    const code = await Deno.readFile(output);
    const boot = new TextEncoder().encode(BOOT_SOURCE);
    const hash = (await hexDigest("SHA-256", new Uint8Array([...code, ...boot]))).slice(0, 16);
    return {
      hash,
      files: new Map([["main.js", code], ["boot.js", boot]]),
      mainPath: `/_frsh/js/${hash}/main.js`,
      bootPath: `/_frsh/js/${hash}/boot.js`,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

async function findDenoConfig(start: string): Promise<string | null> {
  for (let dir = start;; dir = dirname(dir)) {
    const path = join(dir, "deno.json");
    if (await Deno.stat(path).then((s) => s.isFile, () => false)) return path;
    if (dirname(dir) === dir) return null;
  }
}
