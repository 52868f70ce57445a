import { assertEquals, test } from "../../../../tests/assert.ts";
import { detectDelimiter } from "./detect_delimiter.ts";

test("detectDelimiter() finds each candidate in a plain header", () => {
  assertEquals(detectDelimiter("a,b,c\n1,2,3\n"), ",");
  assertEquals(detectDelimiter("a;b;c\n1;2;3\n"), ";");
  assertEquals(detectDelimiter("a\tb\tc\n1\t2\t3\n"), "\t");
  assertEquals(detectDelimiter("a|b|c\n1|2|3\n"), "|");
});

test("detectDelimiter() ignores delimiters inside quotes, newlines included", () => {
  assertEquals(detectDelimiter('"a,b,c";"d\n,,,,";e\n1;2;3\n'), ";");
  assertEquals(detectDelimiter('"x ""a,b"" y"\tz\n1\t2\n'), "\t");
});

test("detectDelimiter() prefers the delimiter every row repeats", () => {
  // The header has one semicolon in a cell name, but commas separate every row.
  assertEquals(detectDelimiter("id,amount;kg,unit\n1,2,t\n2,3,kg\n"), ",");
  // Decimal commas in the data do not outvote the semicolon.
  assertEquals(detectDelimiter("id;amount\n1;2,5\n2;3,75\n"), ";");
});

test("detectDelimiter() reads TSV with commas in the text as tab-separated", () => {
  assertEquals(detectDelimiter("name\tnote\nx\thello, world, again\n"), "\t");
});

test("detectDelimiter() falls back to comma for one column or empty input", () => {
  assertEquals(detectDelimiter("name\nx\ny\n"), ",");
  assertEquals(detectDelimiter(""), ",");
  assertEquals(detectDelimiter("\n\n"), ",");
});

test("detectDelimiter() uses a header cut short when it is the only line", () => {
  assertEquals(detectDelimiter("c1;c2;c3;c4;c"), ";");
  // A cut-off last line does not count against the header.
  assertEquals(detectDelimiter("a|b|c\n1|2|3\n4|"), "|");
});
