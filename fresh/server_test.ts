import { assert, assertEquals, assertMatch, assertRejects } from "../tests/assert.ts";
import { createHandler, HttpError, type Manifest } from "./server.ts";
import { answerError } from "./src/start.ts";
import manifest from "../tests/fixtures/fresh_app/fresh.gen.ts";

const handler = await createHandler(manifest);

async function fetchApp(path: string, init?: RequestInit): Promise<Response> {
  return await handler(new Request(`http://localhost${path}`, init));
}

async function text(path: string, init?: RequestInit): Promise<[number, string, Headers]> {
  const res = await fetchApp(path, init);
  return [res.status, await res.text(), res.headers];
}

/** Runs `fn` with console.error captured, returning what was logged. */
async function captureErrors(fn: () => Promise<void>): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return logged;
}

Deno.test("createHandler() matches static routes before dynamic ones", async () => {
  assertMatch((await text("/about"))[1], /<h1>About<\/h1>/);
  assertMatch((await text("/blog/new"))[1], /<h1>New post<\/h1>/);
  assertMatch((await text("/blog"))[1], /<h1>Blog index<\/h1>/);
  assertMatch((await text("/blog/42"))[1], /post=42/);
  assertMatch((await text("/"))[1], /<h1>Home<\/h1>/);
  assertMatch((await text("/anything"))[1], /slug=anything route=\/:slug/);
});

Deno.test("createHandler() decodes params, including a catch-all", async () => {
  assertMatch((await text("/docs/a/b%20c"))[1], /docs path=\[a\/b c\]/);
  assertMatch((await text("/docs"))[1], /docs path=\[\]/);
  assertMatch((await text("/caf%C3%A9"))[1], /slug=café/);
});

Deno.test("createHandler() renders pages inside _app, which sees ctx.state", async () => {
  const [, body] = await text("/blog/7");
  assertMatch(
    body,
    /^<!DOCTYPE html><html lang="en"><head>.*<title>Fixture<\/title>.*<body data-app="4"><h1>post=7/,
  );
});

Deno.test("createHandler() runs middleware outer to inner and shares ctx.state", async () => {
  const [status, body, headers] = await text("/blog/3");
  assertEquals(status, 200);
  assertMatch(body, /trail=root>blog-a>blog-b>handler/);
  // The root middleware saw the response on its way out.
  assertEquals(headers.get("x-root-middleware"), "route");
});

Deno.test("createHandler() renders _404 inside _app, after root middleware", async () => {
  const [status, body, headers] = await text("/nope/deeper");
  assertEquals(status, 404);
  assertMatch(body, /<title>Fixture<\/title>.*Custom 404 for \/nope\/deeper/);
  assertEquals(headers.get("x-root-middleware"), "notFound");
  const [status2, body2] = await text("/missing");
  assertEquals(status2, 404);
  assertMatch(body2, /Custom 404 for \/missing: no such thing/);
});

Deno.test("createHandler() answers 405 with an Allow header for missing methods", async () => {
  const items = await fetchApp("/api/items", { method: "DELETE" });
  assertEquals(items.status, 405);
  assertEquals(items.headers.get("allow"), "GET, HEAD, POST");
  await items.body?.cancel();
  const page = await fetchApp("/about", { method: "POST" });
  assertEquals(page.status, 405);
  assertEquals(page.headers.get("allow"), "GET, HEAD");
  await page.body?.cancel();
});

Deno.test("createHandler() derives HEAD from GET without a body", async () => {
  const api = await fetchApp("/api/items", { method: "HEAD" });
  assertEquals([api.status, api.headers.get("x-items"), api.body], [200, "2", null]);
  const page = await fetchApp("/about", { method: "HEAD" });
  assertEquals([page.status, page.headers.get("content-type"), page.body], [
    200,
    "text/html; charset=utf-8",
    null,
  ]);
});

Deno.test("createHandler() dispatches handler objects by method and functions for all", async () => {
  const post = await fetchApp("/api/items", { method: "POST", body: JSON.stringify({ a: 1 }) });
  assertEquals([post.status, await post.json()], [201, { received: { a: 1 } }]);
  assertEquals((await text("/api/echo", { method: "PUT" }))[1], "PUT echo");
});

Deno.test("createHandler() renders _500 with the error and logs it", async () => {
  let result: [number, string, Headers] | undefined;
  const logged = await captureErrors(async () => void (result = await text("/throws")));
  assertEquals(result![0], 500);
  assertMatch(result![1], /<title>Fixture<\/title>.*Custom 500: boom from handler/);
  assertEquals(logged.length, 1);
  assertEquals((logged[0][1] as Error).message, "boom from handler");
});

Deno.test("createHandler() redirects a trailing slash only to a path on the same origin", async () => {
  for (
    const [path, location] of [
      ["//evil.example/", "/evil.example"],
      ["///evil.example//", "/evil.example"],
      ["/\\evil.example/", "/evil.example"],
      ["//evil.example/x/?next=1", "/evil.example/x?next=1"],
      ["//", "/"],
    ]
  ) {
    const res = await handler(new Request(`http://localhost${path}`));
    assertEquals([res.status, res.headers.get("location")], [307, location], path);
  }
});

Deno.test("createHandler() redirects a trailing slash, keeping the query", async () => {
  const res = await fetchApp("/about/?x=1");
  assertEquals([res.status, res.headers.get("location")], [307, "/about?x=1"]);
});

Deno.test("createHandler() ships no script on a page without islands", async () => {
  const [, body] = await text("/");
  assert(!body.includes("<script"), body);
  assert(!body.includes("modulepreload"), body);
});

Deno.test("createHandler() shows middleware the matched route pattern, never the URL", async () => {
  const cases: Array<[string, string]> = [
    ["/blog/42", "/blog/:id"],
    ["/about", "/about"],
    ["/docs/a/b%20c", "/docs/:path*"],
    ["/caf%C3%A9", "/:slug"],
    ["/nope/deeper", ""],
    ["/hello.txt", ""],
  ];
  for (const [path, route] of cases) {
    const res = await fetchApp(path);
    await res.body?.cancel();
    assertEquals(res.headers.get("x-route"), route, path);
  }
});

Deno.test("createHandler() runs root middleware for static files", async () => {
  const res = await fetchApp("/hello.txt");
  assertEquals(await res.text(), "hello static\n");
  assertEquals(res.headers.get("x-root-middleware"), "static");
});

Deno.test("createHandler() rejects a route exporting handlers, naming the file", async () => {
  const bad: Manifest = {
    routes: { "./routes/x.tsx": { handlers: {}, default: () => null } },
    islands: {},
    baseUrl: import.meta.url,
  };
  const err = await assertRejects(() => createHandler(bad)) as Error;
  assertMatch(err.message, /"\.\/routes\/x\.tsx" exports "handlers"; did you mean "handler"\?/);
});

Deno.test("createHandler() rejects two routes with the same pattern", async () => {
  const page = { default: () => null };
  const bad: Manifest = {
    routes: { "./routes/a.tsx": page, "./routes/a/index.tsx": page },
    islands: {},
    baseUrl: import.meta.url,
  };
  const err = await assertRejects(() => createHandler(bad)) as Error;
  assertMatch(err.message, /^Route conflict detected: ".*" and ".*" both answer "\/a"/);
});

Deno.test("ctx.next() rejects with the inner error, so middleware can shape it", async () => {
  const app = await createHandler({
    routes: {
      "./routes/api/_middleware.ts": {
        async handler(_req: Request, ctx: { next(): Promise<Response> }) {
          try {
            return await ctx.next();
          } catch (err) {
            return Response.json({ error: (err as Error).message }, { status: 418 });
          }
        },
      },
      "./routes/api/fail.ts": {
        handler() {
          throw new Error("inner failure");
        },
      },
    },
    islands: {},
    baseUrl: import.meta.url,
  });
  const res = await app(new Request("http://localhost/api/fail"));
  assertEquals([res.status, await res.json()], [418, { error: "inner failure" }]);
});

Deno.test("createHandler() lets middleware answer without calling the route", async () => {
  let routeCalls = 0;
  const app = await createHandler({
    routes: {
      "./routes/_middleware.ts": { handler: () => new Response("blocked", { status: 401 }) },
      "./routes/index.ts": { handler: () => new Response(`route ${++routeCalls}`) },
    },
    islands: {},
    baseUrl: import.meta.url,
  });
  const res = await app(new Request("http://localhost/"));
  assertEquals([res.status, await res.text(), routeCalls], [401, "blocked", 0]);
});

Deno.test("answerError() answers an HttpError's status and hides other errors", async () => {
  const refused = answerError(new HttpError(400, "Cannot serve: bad host"));
  assertEquals([refused.status, await refused.text()], [400, "Cannot serve: bad host"]);
  const logged = await captureErrors(async () => {
    const failed = answerError(new Error("secret detail"));
    assertEquals([failed.status, await failed.text()], [500, "Internal Server Error"]);
  });
  assertEquals(logged.length, 1);
});
