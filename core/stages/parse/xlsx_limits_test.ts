import { assert, assertEquals, assertRejects, assertThrows, test } from "../../../tests/assert.ts";
import {
  badSharedStringIndexWorkbook,
  bigSharedStringsWorkbook,
  elementsWorkbook,
  hostileWorkbook,
  lyingDirectoryWorkbook,
  manySharedStringsWorkbook,
  repeated,
  spacesWorkbook,
} from "../../../tests/hostile_xlsx.ts";
import { IngestError } from "../../errors.ts";
import { uploadLimits } from "../../limits.ts";
import { memorySpool } from "./xlsx/byte_source.ts";
import { SharedStrings } from "./xlsx/shared_strings.ts";
import { parseXlsxRecords, type XlsxOptions } from "./xlsx.ts";

// A 1 MiB budget: the same shapes as issue 25's, a hundred times smaller, stop the same way.
const limits = uploadLimits(1024 * 1024);

// The same budget with the inflation bound out of the way, to reach the bounds behind it.
const roomy = { ...limits, inflateSlackBytes: 64 * 1024 * 1024 };

async function read(bytes: Uint8Array<ArrayBuffer>, options: XlsxOptions = {}) {
  const source = await memorySpool(new Blob([bytes]).stream());
  const out = [];
  for await (const batch of parseXlsxRecords(source, { limits, ...options })) out.push(...batch);
  return out;
}

async function limitExceeded(
  bytes: Uint8Array<ArrayBuffer>,
  limit: string,
  options: XlsxOptions = {},
): Promise<IngestError> {
  const error = await assertRejects(() => read(bytes, options));
  assert(error instanceof IngestError, String(error));
  assertEquals([error.type, error.details.limit], ["limit_exceeded", limit], error.message);
  assertEquals(typeof error.details.max, "number");
  return error;
}

test("uploadLimits() derives the XLSX bounds from the budget", () => {
  const d = uploadLimits();
  assertEquals(d.maxSharedStringsBytes, 16 * 1024 * 1024);
  assertEquals(d.maxWorkbookInfoBytes, 4 * 1024 * 1024);
  assertEquals(d.inflateSlackBytes, 4 * 1024 * 1024);
  assertEquals([d.maxInflateRatio, d.maxXmlDepth], [100, 256]);
  assertEquals(limits.maxSharedStringsBytes, 512 * 1024);
});

test("a sheet of spaces inflates only to the ratio's bound", async () => {
  const book = await spacesWorkbook(50e6);
  const error = await limitExceeded(book, "maxInflateRatio");
  assertEquals(error.details.max, 100);
  assertEquals(error.details.maxInflatedBytes, 100 * book.length + limits.inflateSlackBytes);
});

test("a sheet of <x/> elements stops at the same bound, its work bounded by the file's size", async () => {
  const book = await elementsWorkbook(10e6);
  await limitExceeded(book, "maxInflateRatio");
});

test("a ZIP directory that declares 1,000 bytes is measured as the sheet inflates", async () => {
  const book = await lyingDirectoryWorkbook(50e6, 1000);
  await limitExceeded(book, "maxInflateRatio");
  // The old bound (ten times the upload limit) also counts what inflates, not what is declared.
  const error = await assertRejects(() => read(book, { maxExpandedBytes: 100_000 }));
  assert(error instanceof IngestError && error.type === "file_too_large", String(error));
});

test("shared strings past their share of the budget are refused", async () => {
  // 2 MB of 1,000-character strings: past the budget's half (the ratio, out of the way here,
  // would stop this file first: it inflates 350×).
  const big = await bigSharedStringsWorkbook(2e6);
  const error = await limitExceeded(big, "maxSharedStringsBytes", { limits: roomy });
  assertEquals(error.details.max, 512 * 1024);
  // Tiny strings cost 5 bytes each held (4 of them the offset) and the buffers grow by doubling,
  // so 50,000 of them fit in 512 KiB…
  assertEquals((await read(await manySharedStringsWorkbook(50_000), { limits: roomy })).length, 2);
  // …and a million do not.
  await limitExceeded(await manySharedStringsWorkbook(1_000_000), "maxSharedStringsBytes", {
    limits: roomy,
  });
});

test("a cell, a row, a column, a tag and nesting each have their bound", async () => {
  const sheet = (rows: string) =>
    hostileWorkbook({
      sheet: repeated(
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
        "",
        0,
        `${rows}</sheetData></worksheet>`,
      ),
    });
  const bigCell = `<row r="1"><c t="inlineStr"><is><t>${"x".repeat(600_000)}</t></is></c></row>`;
  let error = await limitExceeded(await sheet(bigCell), "maxFieldBytes", { limits: roomy });
  assertEquals([error.details.row, error.details.column], [1, 1]);
  const cells = Array.from(
    { length: 3 },
    () => `<c t="inlineStr"><is><t>${"x".repeat(200_000)}</t></is></c>`,
  ).join("");
  error = await limitExceeded(await sheet(`<row r="4">${cells}</row>`), "maxRecordBytes", {
    limits: roomy,
  });
  assertEquals(error.details.row, 4);
  error = await limitExceeded(
    await sheet('<row r="1"><c r="ZZZZZZ1"><v>1</v></c></row>'),
    "maxColumns",
    { limits: roomy },
  );
  assertEquals(error.details.row, 1);
  await limitExceeded(await sheet(`<row r="1" a="${"y".repeat(600_000)}"/>`), "maxFieldBytes", {
    limits: roomy,
  });
  await limitExceeded(await sheet("<a>".repeat(300)), "maxXmlDepth", { limits: roomy });
});

test("a shared-string index past the table is a parse_error with its cell", async () => {
  const error = await assertRejects(async () => await read(await badSharedStringIndexWorkbook()));
  assert(error instanceof IngestError, String(error));
  assertEquals(error.type, "parse_error");
  assertEquals(error.details, { row: 2, column: 2, index: "5", sharedStrings: 1 });
});

test("a shared-string cell with no value is an empty cell, not an error", async () => {
  const inline = (ref: string, text: string) =>
    `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
  const book = await hostileWorkbook({
    sheet: repeated(
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
        `<row r="1">${inline("A1", "id")}${inline("B1", "name")}</row>` +
        `<row r="2">${inline("A2", "x")}<c r="B2" s="1" t="s"/></row>`,
      "",
      0,
      "</sheetData></worksheet>",
    ),
  });
  assertEquals((await read(book)).map((r) => r.fields), [["id", "name"], ["x", ""]]);
});

test("SharedStrings holds what fits exactly and refuses past its bound", () => {
  const strings = new SharedStrings(1024 * 1024);
  const big = "é".repeat(200_000) + "x".repeat(400_000); // 800,000 UTF-8 bytes, 600,000 units
  strings.add(big);
  strings.add("");
  strings.add("naïve");
  assertEquals([strings.size, strings.get(0) === big, strings.get(1), strings.get(2)], [
    3,
    true,
    "",
    "naïve",
  ]);
  assertEquals([strings.get(3), strings.get(-1), strings.get(0.5)], [
    undefined,
    undefined,
    undefined,
  ]);
  const error = assertThrows(() => strings.add("y".repeat(300_000)));
  assert(error instanceof IngestError, String(error));
  assertEquals(error.details, { limit: "maxSharedStringsBytes", max: 1024 * 1024, strings: 3 });
});
