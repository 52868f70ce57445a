import { assert, assertEquals } from "./assert.ts";
import { databaseTargets } from "./db_harness.ts";
import { withApp } from "./app_harness.ts";

const BUDGET_GZIP_BYTES = 30 * 1024;

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

Deno.test({
  name: "the upload page's island JavaScript is under 30 KB gzipped, imports included",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pglite = databaseTargets().find((t) => t.name === "pglite")!;
    await using db = await pglite.open();
    await withApp(db, async (app) => {
      const html = await (await app.fetch("/upload/facilities")).text();
      const entry = html.match(/<script type="module" src="([^"]+)">/)?.[1];
      assert(entry, "the page boots its islands from a module");
      // Walk the module graph the browser would load.
      const seen = new Set<string>();
      const queue = [entry];
      let total = 0;
      while (queue.length) {
        const path = queue.shift()!;
        if (seen.has(path)) continue;
        seen.add(path);
        const res = await app.fetch(path);
        assertEquals(res.status, 200, path);
        const bytes = new Uint8Array(await res.arrayBuffer());
        total += await gzipSize(bytes);
        const source = new TextDecoder().decode(bytes);
        for (const m of source.matchAll(/(?:from|import)\s*\(?\s*"(\.{0,2}\/[^"]+\.js)"/g)) {
          queue.push(new URL(m[1], app.url + path).pathname);
        }
      }
      assert(total > 1000, `measured something real (${total} bytes)`);
      assert(total < BUDGET_GZIP_BYTES, `${total} bytes gzipped in ${[...seen].join(", ")}`);
    });
  },
});

Deno.test({
  name: "pages and the island bundle travel gzipped",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const pglite = databaseTargets().find((t) => t.name === "pglite")!;
    await using db = await pglite.open();
    await withApp(db, async (app) => {
      const accept = { headers: { "accept-encoding": "gzip" } };
      const res = await app.fetch("/upload/facilities", accept);
      assertEquals(res.headers.get("content-encoding"), "gzip");
      const html = await res.text(); // fetch decodes it again
      // The bundle itself (boot.js, the module the page names, is too small to be worth gzip).
      const bundle = html.match(/<link rel="modulepreload" href="([^"]+)">/)![1];
      const js = await app.fetch(bundle, accept);
      assertEquals(js.headers.get("content-encoding"), "gzip");
      assertEquals(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
      await js.body?.cancel();
    });
  },
});
