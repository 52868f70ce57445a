import { assertEquals } from "../tests/assert.ts";
import { compress } from "./compress.ts";

const GZIP = { "accept-encoding": "gzip, deflate, br" };
const page = "<p>row</p>".repeat(500);

function html(body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: { "content-type": "text/html; charset=utf-8", ...headers },
  });
}

async function gunzip(res: Response): Promise<string> {
  return await new Response(res.body!.pipeThrough(new DecompressionStream("gzip"))).text();
}

Deno.test("compress() gzips a text body for a client that accepts gzip", async () => {
  const res = compress(new Request("http://x/", { headers: GZIP }), html(page, { etag: '"abc"' }));
  assertEquals(res.headers.get("content-encoding"), "gzip");
  assertEquals(res.headers.get("vary"), "Accept-Encoding");
  assertEquals(res.headers.get("etag"), 'W/"abc"');
  assertEquals(res.headers.get("content-length"), null);
  assertEquals(await gunzip(res), page);
});

Deno.test("compress() leaves alone what must not or need not be compressed", async () => {
  const cases: Array<[string, Request, Response]> = [
    ["no gzip accepted", new Request("http://x/"), html(page)],
    [
      "event stream",
      new Request("http://x/", { headers: GZIP }),
      html(page, { "content-type": "text/event-stream" }),
    ],
    [
      "binary",
      new Request("http://x/", { headers: GZIP }),
      html(page, { "content-type": "image/png" }),
    ],
    [
      "small",
      new Request("http://x/", { headers: GZIP }),
      html("<p>hi</p>", { "content-length": "9" }),
    ],
    [
      "encoded",
      new Request("http://x/", { headers: GZIP }),
      html(page, { "content-encoding": "br" }),
    ],
    [
      "no-transform",
      new Request("http://x/", { headers: GZIP }),
      html(page, { "cache-control": "no-transform" }),
    ],
    ["HEAD", new Request("http://x/", { method: "HEAD", headers: GZIP }), html(page)],
  ];
  for (const [name, req, res] of cases) {
    const out = compress(req, res);
    assertEquals(out, res, name);
    await out.body?.cancel();
  }
});
