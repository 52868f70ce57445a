import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../../tests/assert.ts";
import { matchesEtag, StaticFiles } from "./static_files.ts";

const DIR = fileURLToPath(new URL("../../tests/fixtures/fresh_app/static", import.meta.url));
const files = await StaticFiles.open(DIR);

async function serve(path: string, init?: RequestInit): Promise<Response | null> {
  const req = new Request(`http://localhost${path}`, init);
  return await files.serve(req, new URL(req.url));
}

Deno.test("StaticFiles.serve() sends files with their content type", async () => {
  const expected: [string, string][] = [
    ["/hello.txt", "text/plain; charset=utf-8"],
    ["/styles.css", "text/css; charset=utf-8"],
    ["/sub/data.json", "application/json; charset=utf-8"],
    ["/logo.svg", "image/svg+xml"],
  ];
  for (const [path, type] of expected) {
    const res = (await serve(path))!;
    assertEquals([res.status, res.headers.get("content-type")], [200, type], path);
    const body = await res.text();
    assertEquals(res.headers.get("content-length"), String(new TextEncoder().encode(body).length));
  }
});

Deno.test("StaticFiles.serve() answers 304 for a matching If-None-Match", async () => {
  const first = (await serve("/hello.txt"))!;
  await first.body?.cancel();
  const etag = first.headers.get("etag")!;
  // SHA-1 of the content: the same across restarts and servers.
  assertEquals(etag, '"8968e5026e54619248edb69008a036537b261ed8"');
  const again = (await serve("/hello.txt", { headers: { "if-none-match": `W/${etag}, "x"` } }))!;
  assertEquals([again.status, again.body, again.headers.get("etag")], [304, null, etag]);
  const other = (await serve("/hello.txt", { headers: { "if-none-match": '"other"' } }))!;
  assertEquals(other.status, 200);
  await other.body?.cancel();
});

Deno.test("StaticFiles.serve() asks caches to revalidate", async () => {
  const res = (await serve("/styles.css"))!;
  assertEquals(res.headers.get("cache-control"), "no-cache");
  await res.body?.cancel();
});

Deno.test("StaticFiles.serve() answers HEAD without a body", async () => {
  const res = (await serve("/hello.txt", { method: "HEAD" }))!;
  assertEquals([res.status, res.body, res.headers.get("content-length")], [200, null, "13"]);
});

Deno.test("StaticFiles refuses paths outside the folder", async () => {
  for (
    const path of [
      "/../deno.json",
      "/%2e%2e/deno.json",
      "/..%2fdeno.json",
      "/sub/..%2f..%2f..%2f..%2f..%2fdeno.json",
      "/sub%2f..%2fhello.txt",
      "/%2fetc%2fpasswd",
      "/%E0%A4%A",
    ]
  ) {
    assertEquals(await serve(path), null, path);
  }
  assert(files.has("/sub/data.json"));
  assertEquals(files.has("/sub"), false);
});

Deno.test("matchesEtag() compares weakly and understands lists and *", () => {
  assertEquals(matchesEtag('"a"', '"a"'), true);
  assertEquals(matchesEtag('W/"a"', '"a"'), true);
  assertEquals(matchesEtag('"b", "a"', '"a"'), true);
  assertEquals(matchesEtag("*", '"a"'), true);
  assertEquals(matchesEtag('"b"', '"a"'), false);
  assertEquals(matchesEtag(null, '"a"'), false);
});
