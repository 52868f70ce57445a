import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { buildClientBundle, entrySource, loadSnapshot, writeSnapshot } from "./bundle.ts";
import { registerIslands } from "./islands.ts";
import manifest from "../testdata/app/fresh.gen.ts";

const ROOT = fileURLToPath(new URL("../testdata/app", import.meta.url));
const islands = registerIslands(manifest.islands, manifest.baseUrl);

Deno.test("entrySource() imports each island export under its marker id", () => {
  const source = entrySource(islands);
  assertMatch(source, /import \{ default as \$0 \} from "file:\/\/\/.*\/islands\/Counter\.tsx";/);
  assertMatch(source, /import \{ Badge as \$\d \} from "file:\/\/\/.*\/islands\/Outer\.tsx";/);
  assertMatch(source, /"outer_badge": \$\d,/);
  assertMatch(source, /export function boot\(stateId: string, buildId: string\): void/);
});

Deno.test("buildClientBundle() output round-trips through a snapshot and detects stale sources", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "fresh_out_" });
  try {
    const { bundle, inputs } = await buildClientBundle(islands, ROOT, true);
    assertMatch(bundle.mainPath, /^\/_frsh\/js\/[0-9a-f]{16}\/main\.js$/);
    assert("islands/Counter.tsx" in inputs && "../../src/client/reviver.ts" in inputs);
    // One bundle, one preact: its MathML namespace constant appears exactly once.
    const code = new TextDecoder().decode(bundle.files.get("main.js"));
    assertEquals(code.split("http://www.w3.org/1998/Math/MathML").length - 1, 1);

    await writeSnapshot(outDir, bundle, islands, inputs);
    const loaded = await loadSnapshot(outDir, islands, ROOT);
    assert(typeof loaded !== "string", String(loaded));
    assertEquals(loaded.hash, bundle.hash);
    assertEquals(await loadSnapshot(outDir, islands.slice(1), ROOT), "the islands changed");

    const path = join(outDir, "snapshot.json");
    const snapshot = JSON.parse(await Deno.readTextFile(path));
    snapshot.inputs["islands/Counter.tsx"] = "0".repeat(64);
    await Deno.writeTextFile(path, JSON.stringify(snapshot));
    assertEquals(await loadSnapshot(outDir, islands, ROOT), '"islands/Counter.tsx" changed');
    assertEquals(await loadSnapshot(join(outDir, "none"), islands, ROOT), "no snapshot");
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});
