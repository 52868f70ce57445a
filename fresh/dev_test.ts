import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../tests/assert.ts";
import { build } from "./dev.ts";
import { BOOT_SOURCE } from "./src/bundle.ts";
import { createHandler } from "./server.ts";
import manifest from "./testdata/app/fresh.gen.ts";

const ROOT = fileURLToPath(new URL("./testdata/app", import.meta.url));

Deno.test("build() writes a small bundle snapshot that the server then serves", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "fresh_build_" });
  const log = console.log;
  console.log = () => {};
  try {
    const result = await build(ROOT, { build: { outDir } });
    assert(result);
    // preact + hooks + reviver + three islands, well under the 30 KB gzipped budget.
    assert(result.gzipBytes < 30 * 1024, `${result.gzipBytes} bytes gzipped`);
    const file = join(outDir, result.mainPath.replace("/_frsh/", ""));
    assertEquals((await Deno.stat(file)).size, result.bytes);

    // Plant a marked copy under its own hash: serving it proves the snapshot is used.
    const marked = new TextEncoder().encode(`/* from snapshot */${await Deno.readTextFile(file)}`);
    const hashed = new TextEncoder().encode(new TextDecoder().decode(marked) + BOOT_SOURCE);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", hashed));
    const hash = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
    await Deno.mkdir(join(outDir, "js", hash));
    await Deno.writeFile(join(outDir, "js", hash, "main.js"), marked);
    const snapshotPath = join(outDir, "snapshot.json");
    const snapshot = JSON.parse(await Deno.readTextFile(snapshotPath));
    await Deno.writeTextFile(snapshotPath, JSON.stringify({ ...snapshot, hash }));

    const handler = await createHandler(manifest, { build: { outDir } });
    const page = await (await handler(new Request("http://localhost/island"))).text();
    const mainPath = `/_frsh/js/${hash}/main.js`;
    assertMatch(page, new RegExp(`<script type="module" src="/_frsh/js/${hash}/boot.js">`));
    const js = await handler(new Request(`http://localhost${mainPath}`));
    assertEquals(new Uint8Array(await js.arrayBuffer()), marked);
  } finally {
    console.log = log;
    await Deno.remove(outDir, { recursive: true });
  }
});
