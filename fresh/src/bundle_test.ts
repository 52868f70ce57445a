import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { buildClientBundle, entrySource } from "./bundle.ts";
import { registerIslands } from "./islands.ts";
import manifest from "../../tests/fixtures/fresh_app/fresh.gen.ts";

const ROOT = fileURLToPath(new URL("../../tests/fixtures/fresh_app", import.meta.url));
const islands = registerIslands(manifest.islands, manifest.baseUrl);

Deno.test("entrySource() imports each island export under its marker id", () => {
  const source = entrySource(islands);
  assertMatch(source, /import \{ default as \$0 \} from "file:\/\/\/.*\/islands\/Counter\.tsx";/);
  assertMatch(source, /import \{ Badge as \$\d \} from "file:\/\/\/.*\/islands\/Outer\.tsx";/);
  assertMatch(source, /"outer_badge": \$\d,/);
  assertMatch(source, /export function boot\(stateId: string\): void/);
});

Deno.test("buildClientBundle() makes one minified module with one copy of preact", async () => {
  const bundle = await buildClientBundle(islands, ROOT);
  assertMatch(bundle.mainPath, /^\/_frsh\/js\/[0-9a-f]{16}\/main\.js$/);
  assertEquals(bundle.bootPath, bundle.mainPath.replace("main.js", "boot.js"));
  // One bundle, one preact: its MathML namespace constant appears exactly once.
  const code = new TextDecoder().decode(bundle.files.get("main.js"));
  assertEquals(code.split("http://www.w3.org/1998/Math/MathML").length - 1, 1);
  assert(!code.includes("\n  "), "bundle is not minified");
});
