import { assertEquals, assertThrows, test } from "../tests/assert.ts";
import { copyStatement, quoteIdentifier } from "./copy_statement.ts";

test("quoteIdentifier() doubles quotes and keeps dots in the name", () => {
  assertEquals(quoteIdentifier("plain"), '"plain"');
  assertEquals(quoteIdentifier('a"b'), '"a""b"');
  assertEquals(quoteIdentifier("public.t"), '"public.t"');
});

test("quoteIdentifier() rejects empty names and NUL characters", () => {
  assertEquals(
    (assertThrows(() => quoteIdentifier("")) as Error).message,
    "Cannot quote identifier: name is empty",
  );
  assertThrows(() => quoteIdentifier("a\0b"));
});

test("copyStatement() builds COPY for both sources", () => {
  assertEquals(
    copyStatement("t", ["a", 'b"c'], "STDIN"),
    'COPY "t" ("a", "b""c") FROM STDIN WITH (FORMAT csv)',
  );
  assertEquals(
    copyStatement("t", ["a"], "'/dev/blob'"),
    `COPY "t" ("a") FROM '/dev/blob' WITH (FORMAT csv)`,
  );
  assertThrows(() => copyStatement("t", [], "STDIN"));
});
