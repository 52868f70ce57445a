import { assertEquals, assertThrows, test } from "../tests/assert.ts";
import {
  parseArrayLiteral,
  parsersByOid,
  serializeArray,
  serializersByOid,
} from "./value_types.ts";

const parsers = parsersByOid();

test("parsersByOid() reads timestamps exactly, whatever the offset", () => {
  const timestamptz = parsers[1184];
  assertEquals(
    timestamptz("2024-01-02 03:04:05.123456+05:30"),
    new Date("2024-01-01T21:34:05.123Z"),
  );
  assertEquals(timestamptz("2024-01-02 03:04:05-08"), new Date("2024-01-02T11:04:05Z"));
  assertEquals(timestamptz("1901-12-13 20:45:52+00:09:21"), new Date("1901-12-13T20:36:31Z"));
  // `new Date()` would read year 99 as 1999.
  assertEquals((timestamptz("0099-06-01 00:00:00+00") as Date).getUTCFullYear(), 99);
  assertEquals(parsers[1114]("2024-01-02 03:04:05.5"), new Date("2024-01-02T03:04:05.500Z"));
  assertEquals(Number.isNaN((timestamptz("infinity") as Date).getTime()), true);
});

test("parsersByOid() keeps dates, int8 and numeric as exact strings", () => {
  assertEquals(parsers[1082]("2024-02-29"), "2024-02-29");
  assertEquals(parsers[20]("9223372036854775807"), "9223372036854775807");
  assertEquals(parsers[1700]("0.10"), "0.10");
  assertEquals(parsers[17]("\\x00ff"), new Uint8Array([0, 255]));
});

test("parseArrayLiteral() handles NULL, quotes, escapes, nesting and bounds", () => {
  const text = (t: string) => t;
  assertEquals(parseArrayLiteral("{}", text), []);
  assertEquals(parseArrayLiteral('{a,NULL,"NULL","x,\\"y}",""}', text), [
    "a",
    null,
    "NULL",
    'x,"y}',
    "",
  ]);
  assertEquals(parseArrayLiteral("{{1,2},{3,NULL}}", Number), [[1, 2], [3, null]]);
  assertEquals(parseArrayLiteral("[0:1]={7,8}", Number), [7, 8]);
  assertThrows(() => parseArrayLiteral("{1,2", Number));
});

test("serializeArray() writes literals that parseArrayLiteral() reads back", () => {
  const values = ["a", null, 'q"uote', "back\\slash", "comma,brace}", ""];
  const literal = serializeArray(values);
  assertEquals(literal, '{"a",NULL,"q\\"uote","back\\\\slash","comma,brace}",""}');
  assertEquals(parseArrayLiteral(literal, (t) => t), values);
  assertEquals(serializeArray([[1, 2], [3, 4]]), '{{"1","2"},{"3","4"}}');
  assertEquals(serializeArray("{1,2}"), "{1,2}");
});

test("serializersByOid() sends JSON text as it is and encodes anything else", () => {
  const json = serializersByOid()[3802];
  assertEquals(json('{"a":1}'), '{"a":1}');
  assertEquals(json({ a: 1 }), '{"a":1}');
  assertEquals(json([1, "x"]), '[1,"x"]');
});
