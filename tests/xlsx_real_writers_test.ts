import { assert, assertEquals, test } from "./assert.ts";
import { memorySpool } from "../core/stages/parse/xlsx/byte_source.ts";
import { parseXlsxRecords } from "../core/stages/parse/xlsx.ts";
import {
  excelJsWorkbook,
  findSoffice,
  libreOfficeWorkbook,
  prefixedWorkbook,
  sheetJsWorkbook,
  TABLE_READ,
  unzip,
} from "./real_xlsx.ts";

async function read(book: Uint8Array<ArrayBuffer>): Promise<string[][]> {
  const source = await memorySpool(new Blob([book]).stream());
  const out: string[][] = [];
  for await (const batch of parseXlsxRecords(source)) out.push(...batch.map((r) => r.fields));
  return out;
}

async function partText(book: Uint8Array<ArrayBuffer>, name: string): Promise<string> {
  return new TextDecoder().decode((await unzip(book)).get(name));
}

test("exceljs: shared and rich-text strings, dates, booleans, formulas' cached values", async () => {
  const book = await excelJsWorkbook();
  assert((await partText(book, "xl/sharedStrings.xml")).includes("<r>"), "a rich-text string");
  assertEquals(await read(book), TABLE_READ);
});

test("SheetJS: inline str cells, and shared strings with bookSST", async () => {
  for (const bookSST of [false, true]) {
    const book = sheetJsWorkbook(bookSST);
    assertEquals((await unzip(book)).has("xl/sharedStrings.xml"), bookSST);
    assertEquals(await read(book), TABLE_READ, `bookSST: ${bookSST}`);
  }
});

test("prefixed SpreadsheetML (x:worksheet, rel:id) reads like the unprefixed original", async () => {
  for (const original of [await excelJsWorkbook(), sheetJsWorkbook(true)]) {
    const book = await prefixedWorkbook(original);
    const sheet = await partText(book, "xl/worksheets/sheet1.xml");
    assert(sheet.includes("<x:worksheet") && sheet.includes("<x:c "), sheet.slice(0, 300));
    assert((await partText(book, "xl/workbook.xml")).includes(" rel:id="), "rel: prefix");
    assertEquals(await read(book), TABLE_READ);
    // Inline strings (t="inlineStr", <x:is><x:t>), as the Open XML SDK's writers often use.
    const inline = await prefixedWorkbook(original, true);
    assert((await partText(inline, "xl/worksheets/sheet1.xml")).includes("<x:is>"), "inline");
    assertEquals(await read(inline), TABLE_READ);
  }
});

const soffice = findSoffice();
const inCi = Deno.env.get("CI") === "true";

Deno.test({
  name: "LibreOffice (soffice --convert-to xlsx): shared strings, dates, formulas' values",
  // Locally without LibreOffice the test is skipped; CI installs it, so there it must run.
  ignore: !soffice && !inCi,
  async fn() {
    assert(
      soffice,
      "soffice is not on PATH: CI must install the Debian package libreoffice-calc-nogui",
    );
    const book = await libreOfficeWorkbook(soffice);
    assert((await unzip(book)).has("xl/sharedStrings.xml"), "LibreOffice writes shared strings");
    // LibreOffice writes a boolean as the number 1 or 0 in a BOOLEAN number format.
    const expected = TABLE_READ.map((row, r) =>
      row.map((cell, i) => r > 0 && i === 3 ? (cell === "true" ? "1" : "0") : cell)
    );
    assertEquals(await read(book), expected);
    assertEquals(await read(await prefixedWorkbook(book)), expected);
  },
});
