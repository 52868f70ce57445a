import { assertEquals, assertMatch, assertThrows } from "../../tests/assert.ts";
import {
  assertNoRouteConflicts,
  compareRoutePaths,
  compileSimplePattern,
  isDynamicPattern,
  literalBounds,
  pathToPattern,
} from "./route_pattern.ts";

Deno.test("pathToPattern() follows Fresh 1.x file name rules", () => {
  const cases: [string, string][] = [
    ["index", "/"],
    ["about", "/about"],
    ["blog/index", "/blog"],
    ["blog/[id]", "/blog/:id"],
    ["blog/[id]/edit", "/blog/:id/edit"],
    ["runs/[id]/errors.csv", "/runs/:id/errors.csv"],
    ["[id]-edit", "/:id-edit"],
    ["a[b]", "/a:b"],
    ["docs/[...path]", "/docs/:path*"],
    ["(marketing)/pricing", "/pricing"],
    ["(marketing)/index", "/"],
    ["shop/(group)/cart", "/shop/cart"],
    ["posts/[[page]]", "/posts{/:page}?"],
    ["a+b", "/a\\+b"],
  ];
  for (const [path, pattern] of cases) assertEquals(pathToPattern(path), pattern, path);
});

Deno.test("pathToPattern() rejects adjacent and partial optional parameters", () => {
  const adjacent = assertThrows(() => pathToPattern("[a][b]")) as Error;
  assertEquals(adjacent.name, "SyntaxError");
  assertMatch(adjacent.message, /Invalid route path "\[a\]\[b\]": two parameters need/);
  const optional = assertThrows(() => pathToPattern("x-[[y]]")) as Error;
  assertMatch(optional.message, /an optional parameter must be a whole segment/);
});

Deno.test("isDynamicPattern() tells URLPattern syntax from plain paths", () => {
  assertEquals(isDynamicPattern("/about/team"), false);
  assertEquals(isDynamicPattern("/blog/:id"), true);
  assertEquals(isDynamicPattern("/a\\+b"), true);
});

Deno.test("compareRoutePaths() orders static, then params, then catch-alls", () => {
  const sorted = [
    "[...all]",
    "blog/[id]",
    "[slug]",
    "blog/new",
    "blog/[...rest]",
    "_middleware",
    "about",
    "(g)/zeta",
    "_app",
    "blog/index",
  ].sort(compareRoutePaths);
  assertEquals(sorted, [
    "_middleware",
    "_app",
    "(g)/zeta",
    "about",
    "blog/index",
    "blog/new",
    "blog/[id]",
    "blog/[...rest]",
    "[slug]",
    "[...all]",
  ]);
});

Deno.test("assertNoRouteConflicts() names both files of a conflict", () => {
  for (
    const pair of [
      ["./routes/a.ts", "./routes/a.tsx"],
      ["./routes/a.tsx", "./routes/a/index.tsx"],
      ["./routes/(g)/a.tsx", "./routes/a.tsx"],
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
  assertNoRouteConflicts(["./routes/_layout.tsx", "./routes/a/_layout.tsx", "./routes/a.tsx"]);
});

Deno.test("literalBounds() never rules out a pathname that URLPattern matches", () => {
  const patterns = [
    "/runs/:id",
    "/runs/:id/commit",
    "/runs/:id/errors.csv",
    "/:id-edit",
    "/a:b",
    "/docs/:path*",
    "/posts{/:page}?",
    "/blog/:id?",
    "/a\\+b/:id",
    "/files/*",
    "/n/:id(\\d+)/x",
    "/caf\u00e9/:id",
    "/x/./:id",
    "/:a/:b/tail",
  ];
  const paths = [
    "/",
    "/runs",
    "/runs/",
    "/runs/1",
    "/runs/1/commit",
    "/runs/1/errors.csv",
    "/7-edit",
    "/ab",
    "/docs",
    "/docs/a/b",
    "/posts",
    "/posts/2",
    "/blog",
    "/blog/1",
    "/a+b/1",
    "/files/a/b",
    "/n/12/x",
    "/caf%C3%A9/1",
    "/x/1",
    "/p/q/tail",
  ];
  for (const pattern of patterns) {
    const matcher = new URLPattern({ pathname: pattern });
    const { prefix, suffix } = literalBounds(pattern);
    for (const pathname of paths) {
      if (!matcher.test({ pathname })) continue;
      const within = pathname.startsWith(prefix) && pathname.endsWith(suffix);
      assertEquals(
        within,
        true,
        `${pattern} matches ${pathname} but bounds are ${prefix}…${suffix}`,
      );
    }
  }
  assertEquals(literalBounds("/runs/:id/commit"), { prefix: "/runs", suffix: "/commit" });
  assertEquals(literalBounds("/runs/:id/errors.csv"), { prefix: "/runs", suffix: "csv" });
  assertEquals(literalBounds("/docs/:path*"), { prefix: "/docs", suffix: "" });
});

Deno.test("compileSimplePattern() matches exactly what URLPattern matches, with its params", () => {
  const simple = [
    "/runs/:id",
    "/runs/:id/commit",
    "/runs/:id/errors.csv",
    "/api/v1/runs/:id/rows/:row",
    "/:id-edit",
    "/a:b",
    "/:a/:b/tail",
    "/v1.2/:x",
  ];
  const paths = [
    "/",
    "/runs",
    "/runs/",
    "/runs/1",
    "/runs/1/",
    "/runs/a%20b",
    "/runs/%2F",
    "/runs/1/commit",
    "/runs/1/commit/",
    "/runs/1/errors.csv",
    "/runs/1/errorsXcsv",
    "/api/v1/runs/x/rows/7",
    "/api/v1/runs//rows/7",
    "/7-edit",
    "/-edit",
    "/a-edit-edit",
    "/ab",
    "/a",
    "/p/q/tail",
    "/p/q/r/tail",
    "/v1.2/x",
    "/v1x2/x",
    "/RUNS/1",
  ];
  for (const pattern of simple) {
    const re = compileSimplePattern(pattern);
    if (!re) throw new Error(`${pattern} should compile`);
    const matcher = new URLPattern({ pathname: pattern });
    for (const pathname of paths) {
      const expected: Record<string, string | undefined> | null =
        matcher.exec({ pathname })?.pathname.groups ?? null;
      const actual: Record<string, string> | null = re.exec(pathname)?.groups ?? null;
      assertEquals(actual && { ...actual }, expected && { ...expected }, `${pattern} ${pathname}`);
    }
  }
  for (
    const other of [
      "/docs/:path*",
      "/posts{/:page}?",
      "/blog/:id?",
      "/a\\+b/:id",
      "/files/*",
      "/n/:id(\\d+)",
      "/caf\u00e9/:id",
      "/x/./:id",
      "/x/../:id",
      "/:a:b",
      "/:a/:a",
      "/a%20/:b",
    ]
  ) assertEquals(compileSimplePattern(other), null, other);
});
