import { assertEquals, test } from "../tests/assert.ts";
import { cleanFileName, MAX_FILE_NAME_CHARS } from "./file_name.ts";

test("cleanFileName() drops control characters and keeps the rest", () => {
  assertEquals(cleanFileName("fac\0ilities.csv"), "facilities.csv");
  assertEquals(cleanFileName("a\tb\r\n\u007f.csv"), "ab.csv");
  assertEquals(cleanFileName("Zürich données.csv"), "Zürich données.csv");
  assertEquals(cleanFileName("\0\0"), null);
  assertEquals(cleanFileName(null), null);
});

test("cleanFileName() cuts a long name to 255 characters, keeping its extension", () => {
  const name = cleanFileName(`${"n".repeat(10_000)}.xlsx`)!;
  assertEquals(name.length, MAX_FILE_NAME_CHARS);
  assertEquals(name.endsWith("n.xlsx"), true);
});
