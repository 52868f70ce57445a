import { assertEquals, test } from "../../tests/assert.ts";
import { stagingLine } from "./staging_csv.ts";

const columns = ["code", "staff", "ratio", "active", "note"];

test("stagingLine() writes NULL as an empty field and quotes what COPY needs quoted", () => {
  const line = stagingLine(columns, {
    row: 7,
    line: 9,
    values: { code: 'say "hi", twice', staff: 12, ratio: "0.50", active: false, note: "" },
    raw: ['say "hi", twice', "12", "0.50", "no", ""],
    errors: null,
  }, true);
  assertEquals(
    line,
    `7,9,"[""say \\""hi\\"", twice"",""12"",""0.50"",""no"",""""]",t,` +
      `"say ""hi"", twice",12,0.50,f,""`,
  );
  const multiline = stagingLine(["code", "note"], {
    row: 2,
    line: 2,
    values: { code: "a\r\nb", note: null },
    raw: ["a\r\nb", ""],
    errors: null,
  }, false);
  assertEquals(multiline, `2,2,,,"a\r\nb",`);
});

test("stagingLine() leaves the raw cells out only when they are the values as text, in order", () => {
  const values = { code: "S1", staff: 12, ratio: "0.50", active: true, note: null };
  // The third field is `$raw`: empty, or the cells as a JSON array.
  const keepsRaw = (raw: string[]) =>
    stagingLine(columns, { row: 2, line: 2, values, raw, errors: null }, false)
      .startsWith(`2,2,"${JSON.stringify(raw).replaceAll('"', '""')}",`);
  assertEquals(keepsRaw(["S1", "12", "0.50", "true", ""]), false);
  // Trimmed, spelled differently, or with a cell no column takes: the raw cells are kept.
  assertEquals(keepsRaw([" S1", "12", "0.50", "true", ""]), true);
  assertEquals(keepsRaw(["S1", "12", "0.50", "yes", ""]), true);
  assertEquals(keepsRaw(["S1", "+12", "0.50", "true", ""]), true);
  assertEquals(keepsRaw(["S1", "12", "0.50", "true", "", "extra"]), true);
  assertEquals(keepsRaw(["S1", "12", "0.50", "true", "n/a"]), true);
  assertEquals(keepsRaw(["S1", "12", "0.5", "true", ""]), true);
});
