import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import { assertNoRouteConflicts, buildRouteTable, matchRoute, middlewaresFor } from "./router.ts";
import type { Manifest } from "./types.ts";

const page = { default: () => null };
const next = { handler: () => new Response() };

function table(files: string[]) {
  const routes = Object.fromEntries(files.map((f) => [f, f.includes("_middleware") ? next : page]));
  return buildRouteTable({ routes, islands: {}, baseUrl: import.meta.url } satisfies Manifest);
}

Deno.test("buildRouteTable() follows Fresh 1.x file name rules", () => {
  const cases: [string, string][] = [
    ["index", "/"],
    ["blog/index", "/blog"],
    ["blog/[id]", "/blog/:id"],
    ["runs/[id]/errors.csv", "/runs/:id/errors.csv"],
    ["docs/[...path]", "/docs/:path*"],
  ];
  const routes = table(cases.map(([path]) => `./routes/${path}.tsx`));
  const patterns = [...routes.exact.values(), ...routes.dynamic].map((r) => r.pattern).sort();
  assertEquals(patterns, cases.map(([, pattern]) => pattern).sort());
});

Deno.test("matchRoute() tries static paths, then [param], then [...rest]", () => {
  const routes = table(["[...all]", "blog/[id]", "[slug]", "blog/new", "blog/[...rest]"].map(
    (path) => `./routes/${path}.tsx`,
  ));
  const cases: [string, string, Record<string, string>][] = [
    ["/blog/new", "/blog/new", {}],
    ["/blog/7", "/blog/:id", { id: "7" }],
    ["/blog/7/x", "/blog/:rest*", { rest: "7/x" }],
    ["/blog", "/blog/:rest*", { rest: "" }],
    ["/x", "/:slug", { slug: "x" }],
    ["/caf%C3%A9", "/:slug", { slug: "café" }],
    ["/a/b%20c", "/:all*", { all: "a/b c" }],
    ["/", "/:all*", { all: "" }],
  ];
  for (const [path, pattern, params] of cases) {
    const match = matchRoute(routes, path);
    assertEquals([match?.route.pattern, match?.params], [pattern, params], path);
  }
  assertEquals(matchRoute(routes, "/blog//x")?.route.pattern, undefined);
});

Deno.test("middlewaresFor() runs outer to inner, for every URL under their folder", async () => {
  const outer = { handler: [() => new Response("1"), () => new Response("2")] };
  const inner = { handler: () => new Response("3") };
  const routes = buildRouteTable({
    routes: {
      "./routes/runs/[id]/_middleware.ts": inner,
      "./routes/_middleware.ts": outer,
      "./routes/runs/[id]/index.tsx": page,
      "./routes/about.tsx": page,
    },
    islands: {},
    baseUrl: import.meta.url,
  });
  const chain = async (path: string) => {
    const handlers = middlewaresFor(routes, path);
    return await Promise.all(handlers.map(async (h) => await (await h(null!, null!)).text()));
  };
  assertEquals(await chain("/runs/4"), ["1", "2", "3"]);
  assertEquals(await chain("/about"), ["1", "2"]);
  assertEquals(await chain("/runs/4/missing.css"), ["1", "2", "3"]);
  assertEquals(await chain("/nothing"), ["1", "2"]);
});

Deno.test("buildRouteTable() refuses file names Intake does not use, naming the file", () => {
  for (
    const path of ["(group)/a", "posts/[[page]]", "a[b]", "[a][b]", "[...rest]/x", "x/_layout"]
  ) {
    const err = assertThrows(() => table([`./routes/${path}.tsx`])) as Error;
    assertMatch(err.message, new RegExp(`^Route "\\./routes/${RegExp.escape(path)}\\.tsx"`));
  }
});

Deno.test("assertNoRouteConflicts() names both files of a conflict", () => {
  for (
    const pair of [
      ["./routes/a.ts", "./routes/a.tsx"],
      ["./routes/a.tsx", "./routes/a/index.tsx"],
      ["./routes/_app.ts", "./routes/_app.tsx"],
    ]
  ) {
    const err = assertThrows(() => assertNoRouteConflicts(pair)) as Error;
    assertEquals(
      err.message.startsWith(`Route conflict detected: "${pair[0]}" and "${pair[1]}"`),
      true,
      err.message,
    );
  }
  assertNoRouteConflicts([
    "./routes/_middleware.ts",
    "./routes/a/_middleware.ts",
    "./routes/a.tsx",
  ]);
});
