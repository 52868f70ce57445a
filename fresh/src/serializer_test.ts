import { h } from "preact";
import { assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  assertSerializable,
  escapeScriptJson,
  IslandPropsError,
  serializeState,
} from "./serializer.ts";

function rejection(props: Record<string, unknown>): string {
  const err = assertThrows(() => assertSerializable("Chart", props));
  if (!(err instanceof IslandPropsError)) throw err;
  return err.message;
}

Deno.test("assertSerializable() accepts JSON-safe props", () => {
  const shared = { a: 1 };
  assertSerializable("Chart", {
    n: 1.5,
    s: "x",
    b: false,
    nil: null,
    skipped: undefined,
    nan: NaN,
    list: [1, "two", { three: [3] }],
    same: [shared, shared],
    bare: Object.create(null),
    children: "text child",
  });
});

Deno.test("assertSerializable() names the island and the path of a bad prop", () => {
  assertEquals(
    rejection({ onPick: () => {} }),
    'Cannot serialize prop "onPick" of island "Chart": functions cannot be sent to the browser',
  );
  assertEquals(
    rejection({ series: [{ at: new Date(0) }] }),
    'Cannot serialize prop "series[0].at" of island "Chart": Date is not JSON-safe; ' +
      "pass a string, number or plain object instead",
  );
  assertEquals(
    rejection({ index: new Map() }),
    'Cannot serialize prop "index" of island "Chart": Map is not JSON-safe; ' +
      "pass a string, number or plain object instead",
  );
  class Point {
    x = 1;
  }
  assertEquals(
    rejection({ p: new Point() }),
    'Cannot serialize prop "p" of island "Chart": Point is not JSON-safe; ' +
      "pass a string, number or plain object instead",
  );
  assertEquals(
    rejection({ big: 1n }),
    'Cannot serialize prop "big" of island "Chart": a bigint is not JSON-safe',
  );
  assertEquals(
    rejection({ children: h("b", null, "x") }),
    'Cannot serialize prop "children" of island "Chart": JSX cannot be passed to an island; ' +
      "render it inside the island instead",
  );
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assertEquals(
    rejection({ loop }),
    'Cannot serialize prop "loop.self" of island "Chart": the value is circular',
  );
});

Deno.test("escapeScriptJson() escapes what could end an inline script", () => {
  const json = JSON.stringify({ t: "</script><!--\u2028\u2029" });
  const escaped = escapeScriptJson(json);
  assertEquals(escaped, '{"t":"\\u003c/script\\u003e\\u003c!--\\u2028\\u2029"}');
  assertEquals(JSON.parse(escaped), JSON.parse(json));
});

Deno.test("serializeState() wraps props in the Fresh 1.x state shape", () => {
  assertEquals(JSON.parse(serializeState([{ a: 1 }, { n: Infinity }])), {
    v: [[{ a: 1 }, { n: null }], []],
  });
});
