/**
 * Pins the surface of `fresh/` to what Intake uses, so that growing it is a deliberate change of
 * this file: the exported names of each `$fresh/…` module, and that every one of them is imported
 * somewhere in Intake (outside `fresh/` and the layer's own fixture app).
 */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals } from "../tests/assert.ts";
import { listFiles } from "./src/files.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SKIP = /^(fresh|tests\/fixtures\/fresh_app|node_modules|_fresh|\.data|\.git)\//;

/** Every name each module exports, values and types. */
const SURFACE: Record<string, string[]> = {
  "server.ts": [
    "FreshContext",
    "Handler",
    "Handlers",
    "HttpError",
    "Manifest",
    "PageProps",
    "createHandler",
    "defineConfig",
    "start",
  ],
  "dev.ts": ["default"],
};

/**
 * Pinned names Intake itself no longer imports. `start`: `main.ts` serves `createHandler`'s
 * handler on `Deno.serve` itself, since the app is built with its services (`server/app.ts`,
 * #22 item 5); the layer keeps `start` for Fresh compatibility and its own fixture app.
 */
const UNUSED_BY_INTAKE = new Set(["start"]);

/** Names a module exports: `export function|class|const x`, `export { … }`, `export default`. */
async function exportedNames(module: string): Promise<string[]> {
  const source = await Deno.readTextFile(join(ROOT, "fresh", module));
  const names = new Set<string>();
  for (const m of source.matchAll(/^export (?:async )?(?:function|class|const) (\w+)/gm)) {
    names.add(m[1]);
  }
  for (const m of source.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const name of m[1].split(",").map((n) => n.trim()).filter(Boolean)) names.add(name);
  }
  if (/^export default /m.test(source)) names.add("default");
  return [...names].sort();
}

/** `$fresh/…` module → the names Intake imports from it (`default` for a default import). */
async function importedNames(): Promise<Record<string, Set<string>>> {
  const used: Record<string, Set<string>> = {};
  for (const file of await listFiles(ROOT)) {
    const path = relative(ROOT, file).split("\\").join("/");
    if (SKIP.test(path) || !/\.tsx?$/.test(path)) continue;
    const source = await Deno.readTextFile(file);
    for (const m of source.matchAll(/import (?:type )?([^;]*?) from "\$fresh\/([^"]+)"/g)) {
      const names = (used[m[2]] ??= new Set());
      const [, named] = /\{([^}]*)\}/.exec(m[1]) ?? [];
      if (/^\w+/.test(m[1])) names.add("default");
      for (const name of named?.split(",") ?? []) {
        const bare = name.replace(/^\s*type\s+/, "").split(" as ")[0].trim();
        if (bare) names.add(bare);
      }
    }
  }
  return used;
}

Deno.test("each $fresh module exports exactly the pinned names", async () => {
  for (const [module, names] of Object.entries(SURFACE)) {
    assertEquals(await exportedNames(module), [...names].sort(), module);
  }
});

Deno.test("Intake imports only pinned $fresh modules, and every pinned name", async () => {
  const used = await importedNames();
  assertEquals(Object.keys(used).sort(), Object.keys(SURFACE).sort());
  for (const [module, names] of Object.entries(SURFACE)) {
    const pinned = names.filter((name) => !UNUSED_BY_INTAKE.has(name));
    assertEquals([...used[module]].sort(), pinned.sort(), module);
  }
});
