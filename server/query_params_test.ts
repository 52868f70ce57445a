import { assertEquals, assertThrows } from "../tests/assert.ts";
import { isIngestError } from "../core/errors.ts";
import { choice, flag, integer, readQuery, rowCursor, runCursor, text } from "./query_params.ts";

const url = (query: string) => new URL(`http://intake.test/x?${query}`);

Deno.test("readQuery() types declared parameters and leaves absent ones undefined", () => {
  const spec = { n: integer(1, 10), c: choice(["a", "b"] as const), f: flag, t: text(5) };
  assertEquals(readQuery(url("n=3&c=b&f=1&t=hi&other=%00"), spec), {
    n: 3,
    c: "b",
    f: true,
    t: "hi",
  });
  assertEquals(readQuery(url("n=&c="), spec), {});
});

Deno.test("readQuery() refuses malformed values with bad_request naming the parameter", () => {
  const spec = { n: integer(1, 10), row: rowCursor, run: runCursor, t: text(5) };
  for (
    const query of [
      "n=0",
      "n=11",
      "n=1.5",
      "n=1e1",
      "n=0x1",
      "n=%201",
      "row=2147483648",
      "row=99999999999999999999",
      "row=zzz",
      "run=zzz",
      "t=%00",
      "t=toolong",
      "n=1&n=2",
    ]
  ) {
    const err = assertThrows(() => readQuery(url(query), spec));
    assertEquals(isIngestError(err, "bad_request"), true, query);
    const name = query.split("=")[0];
    assertEquals((err as Error).message.startsWith(`Invalid ${name}`), true, query);
  }
});

Deno.test("readQuery() shows at most 100 characters of a huge value", () => {
  const err = assertThrows(() => readQuery(url(`n=${"9".repeat(5000)}`), { n: integer(1, 2) }));
  assertEquals((err as Error).message.length < 200, true);
});

Deno.test("rowCursor accepts negative row numbers (rows a replace would delete)", () => {
  assertEquals(readQuery(url("c=-3"), { c: rowCursor }).c, "-3");
});
