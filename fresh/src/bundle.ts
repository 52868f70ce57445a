/**
 * The client bundle: one ES module holding preact, the reviver and every island, built with
 * `deno bundle` (Deno's own esbuild, which reads our import map and the offline npm cache). One
 * bundle means one preact copy, so hooks work across islands. `deno task build` saves it to
 * `_fresh/`; without a usable snapshot the server builds it in memory.
 *
 * @module
 */
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

interface Snapshot {
  version: typeof SNAPSHOT_VERSION;
  hash: string;
  islands: string[];
  /** Source files that went into the bundle (relative to the project root) → SHA-256. */
  inputs: Record<string, string>;
}

const SNAPSHOT_VERSION = 2;
const REVIVER_URL = new URL("./client/reviver.ts", import.meta.url).href;

/**
 * `boot.js`: finds the page's state script and boots the islands. It is a file of its own, not an
 * inline script, so pages work under a Content-Security-Policy of `script-src 'self'` without
 * nonces or hashes; the per-page values (state id, build id) travel in the state script.
 */
export const BOOT_SOURCE = `import { boot } from "./main.js";
const state = document.querySelector('script[type="application/json"][id^="__FRSH_STATE_"]');
if (state) boot(state.id, state.dataset.buildId ?? "");
`;

/** The generated entry: imports the reviver and each island, exports `boot()`. */
export function entrySource(islands: Island[]): string {
  const lines = [`import { revive } from ${JSON.stringify(REVIVER_URL)};`];
  const pairs: string[] = [];
  islands.forEach((island, i) => {
    lines.push(`import { ${island.exportName} as $${i} } from ${JSON.stringify(island.url)};`);
    pairs.push(`  ${JSON.stringify(island.id)}: $${i},`);
  });
  lines.push(`const islands = {\n${pairs.join("\n")}\n};`);
  lines.push(
    "export function boot(stateId: string, buildId: string): void {",
    "  revive(islands, stateId, buildId);",
    "}",
    "",
  );
  return lines.join("\n");
}

/**
 * Bundles the islands with `deno bundle --platform browser --minify`.
 *
 * @param root the project folder; its `deno.json` (or the nearest above) supplies the import map
 * @param withInputs also list the local source files, for a snapshot's staleness check
 * @throws {Error} with `deno bundle`'s output when bundling fails
 */
export async function buildClientBundle(
  islands: Island[],
  root: string,
  withInputs = false,
): Promise<{ bundle: ClientBundle; inputs: Record<string, string> }> {
  const config = await findDenoConfig(root);
  const tmp = await Deno.makeTempDir({ prefix: "fresh_bundle_" });
  try {
    const entry = join(tmp, "client_entry.ts");
    const output = join(tmp, "main.js");
    await Deno.writeTextFile(entry, entrySource(islands));
    const configArgs = config ? ["--config", config] : [];
    await run([
      "bundle",
      ...configArgs,
      "--quiet",
      "--platform=browser",
      "--format=esm",
      "--minify",
      "--output",
      output,
      entry,
    ]);
    const code = await Deno.readFile(output);
    const inputs = withInputs ? await listInputs(entry, configArgs, root) : {};
    return { bundle: await toBundle(code), inputs };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The bundle around `main.js`; the hash covers `boot.js` too, since both are cached forever. */
export async function toBundle(code: Uint8Array): Promise<ClientBundle> {
  const boot = new TextEncoder().encode(BOOT_SOURCE);
  const both = new Uint8Array(code.byteLength + boot.byteLength);
  both.set(code);
  both.set(boot, code.byteLength);
  const hash = (await hexDigest("SHA-256", both)).slice(0, 16);
  return {
    hash,
    files: new Map([["main.js", code], ["boot.js", boot]]),
    mainPath: `/_frsh/js/${hash}/main.js`,
    bootPath: `/_frsh/js/${hash}/boot.js`,
  };
}

async function run(args: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!out.success) {
    const message = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`Cannot bundle the islands: "deno ${args[0]}" failed:\n${message}`);
  }
  return out.stdout;
}

/** Local files in the entry's module graph (reviver, islands, their imports) with hashes. */
async function listInputs(
  entry: string,
  configArgs: string[],
  root: string,
): Promise<Record<string, string>> {
  const json = await run(["info", "--json", ...configArgs, entry]);
  const graph = JSON.parse(new TextDecoder().decode(json)) as { modules: { specifier: string }[] };
  const entryUrl = pathToFileURL(entry).href;
  const files = graph.modules.map((m) => m.specifier)
    .filter((s) => s.startsWith("file:") && s !== entryUrl)
    .map((s) => relative(root, fileURLToPath(s)))
    .sort();
  const inputs: Record<string, string> = {};
  for (const file of files) {
    inputs[file] = await hexDigest("SHA-256", await Deno.readFile(join(root, file)));
  }
  return inputs;
}

/** Writes the bundle and `snapshot.json` to `outDir` (replacing older builds). */
export async function writeSnapshot(
  outDir: string,
  bundle: ClientBundle,
  islands: Island[],
  inputs: Record<string, string>,
): Promise<void> {
  await Deno.remove(join(outDir, "js"), { recursive: true }).catch(() => {});
  const dir = join(outDir, "js", bundle.hash);
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, bytes] of bundle.files) await Deno.writeFile(join(dir, name), bytes);
  const snapshot: Snapshot = {
    version: SNAPSHOT_VERSION,
    hash: bundle.hash,
    islands: islands.map(islandKey),
    inputs,
  };
  await Deno.writeTextFile(join(outDir, "snapshot.json"), JSON.stringify(snapshot, null, 2) + "\n");
}

/**
 * Loads the bundle from `outDir` when it was built for these islands from unchanged sources.
 *
 * @returns the bundle, or the reason it cannot be used
 */
export async function loadSnapshot(
  outDir: string,
  islands: Island[],
  root: string,
): Promise<ClientBundle | string> {
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(await Deno.readTextFile(join(outDir, "snapshot.json")));
  } catch {
    return "no snapshot";
  }
  if (snapshot.version !== SNAPSHOT_VERSION) return "snapshot from another version";
  if (snapshot.islands.join("\n") !== islands.map(islandKey).join("\n")) {
    return "the islands changed";
  }
  for (const [file, hash] of Object.entries(snapshot.inputs)) {
    const bytes = await Deno.readFile(join(root, file)).catch(() => null);
    if (bytes === null || await hexDigest("SHA-256", bytes) !== hash) return `"${file}" changed`;
  }
  const code = await Deno.readFile(join(outDir, "js", snapshot.hash, "main.js")).catch(() => null);
  if (code === null) return "the bundle file is missing";
  const bundle = await toBundle(code);
  return bundle.hash === snapshot.hash ? bundle : "the bundle file was modified";
}

function islandKey(island: Island): string {
  return `${island.id} ${island.exportName} ${island.url.split("/").slice(-2).join("/")}`;
}

async function findDenoConfig(start: string): Promise<string | null> {
  for (let dir = start;; dir = dirname(dir)) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const path = join(dir, name);
      if (await Deno.stat(path).then((s) => s.isFile, () => false)) return path;
    }
    if (dirname(dir) === dir || !isAbsolute(dir)) return null;
  }
}
