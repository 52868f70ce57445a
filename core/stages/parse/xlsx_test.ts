import { assert, assertEquals, assertRejects, test } from "../../../tests/assert.ts";
import { writeXlsx, zip } from "../../../tests/xlsx_writer.ts";
import { IngestError } from "../../errors.ts";
import { memorySpool } from "./xlsx/byte_source.ts";
import { isDateFormat, parseXlsxRecords, serialToIso, type XlsxOptions } from "./xlsx.ts";

async function read(bytes: Uint8Array<ArrayBuffer>, options?: XlsxOptions) {
  const source = await memorySpool(new Blob([bytes]).stream());
  const out = [];
  for await (const batch of parseXlsxRecords(source, options)) out.push(...batch);
  return out;
}

async function ingestError(fn: () => Promise<unknown>, type: string): Promise<IngestError> {
  const error = await assertRejects(fn);
  assert(error instanceof IngestError, String(error));
  assertEquals(error.type, type, error.message);
  return error;
}

test("parseXlsxRecords() reads typed cells as text people would type", async () => {
  const book = await writeXlsx([{
    name: "Facilities",
    rows: [
      ["facility_id", "latitude", "opened_on", "active", "total", "note"],
      [
        "ABC-000001",
        51.5,
        new Date("2001-02-03T00:00:00Z"),
        true,
        { formula: "B2*2", value: 103 },
        "a & <b>",
      ],
      ["ABC-000002", -0.125, new Date("2020-06-01T12:30:00Z"), false, null, null],
      [],
      ["ABC-000003"],
    ],
  }]);
  assertEquals(await read(book), [
    {
      row: 1,
      line: 1,
      fields: ["facility_id", "latitude", "opened_on", "active", "total", "note"],
    },
    {
      row: 2,
      line: 2,
      fields: ["ABC-000001", "51.5", "2001-02-03", "true", "103", "a & <b>"],
      // Number cells (a formula's value too), not dates, booleans or text.
      numbers: [false, true, false, false, true, false],
    },
    {
      row: 3,
      line: 3,
      fields: ["ABC-000002", "-0.125", "2020-06-01T12:30:00", "false", "", ""],
      numbers: [false, true, false, false, false, false],
    },
    { row: 5, line: 5, fields: ["ABC-000003", "", "", "", "", ""] },
  ]);
});

test("parseXlsxRecords() reads the sheet asked for, and lists the sheets otherwise", async () => {
  const book = await writeXlsx([
    { name: "Notes", rows: [["readme"], ["ignore this sheet"]] },
    { name: "Data", rows: [["id"], ["7"]] },
  ]);
  assertEquals((await read(book))[0].fields, ["readme"]);
  assertEquals((await read(book, { sheet: "Data" })).map((r) => r.fields), [["id"], ["7"]]);
  const error = await ingestError(() => read(book, { sheet: "Nope" }), "bad_request");
  assertEquals(error.details.sheets, ["Notes", "Data"]);
});

test("parseXlsxRecords() refuses a blank or merged header cell", async () => {
  const book = await writeXlsx([{
    name: "S",
    rows: [["Facility", null, "active"], ["x", "y", "z"]],
    merges: ["A1:B1"],
  }]);
  const error = await ingestError(() => read(book), "header_error");
  assertEquals(error.details, { row: 1, blank: ["B"] });
});

test("parseXlsxRecords() stops a zip bomb at the expansion limit, declared or not", async () => {
  const row = Array.from({ length: 20 }, () => "x".repeat(50));
  const book = await writeXlsx([{ name: "S", rows: Array.from({ length: 2000 }, () => row) }]);
  const limit = { maxExpandedBytes: 100_000 };
  assert(book.length < limit.maxExpandedBytes, `compressed to ${book.length} bytes`);
  let error = await ingestError(() => read(book, limit), "file_too_large");
  assertEquals(error.details.maxExpandedBytes, 100_000);
  // A directory that lies about the sizes is caught while inflating.
  const lying = book.slice();
  const view = new DataView(lying.buffer);
  for (let i = 0; i + 4 <= lying.length; i++) {
    if (view.getUint32(i, true) === 0x02014b50) view.setUint32(i + 24, 10, true);
  }
  error = await ingestError(() => read(lying, limit), "file_too_large");
  assertEquals(error.details.maxExpandedBytes, 100_000);
});

test("parseXlsxRecords() says what it got when the file is no workbook", async () => {
  const notZip = new TextEncoder().encode("facility_id\nABC-000001\n");
  assertEquals((await ingestError(() => read(notZip), "unsupported_file_type")).details, {
    detected: "not-xlsx",
  });
  const otherZip = await zip([["hello.txt", new TextEncoder().encode("hi")]]);
  assertEquals((await ingestError(() => read(otherZip), "unsupported_file_type")).details, {
    detected: "zip",
  });
});

test("serialToIso() and isDateFormat() follow Excel's calendar and formats", () => {
  assertEquals(serialToIso(36925), "2001-02-03");
  assertEquals(serialToIso(43983.5), "2020-06-01T12:00:00");
  assertEquals(serialToIso(35463, true), "2001-02-03");
  for (const code of ["yyyy-mm-dd", "d/m/yy", "[$-409]mmmm d, yyyy", "hh:mm:ss", "[h]:mm"]) {
    assert(isDateFormat(code), code);
  }
  for (const code of ["General", "0.00", "#,##0", '"Days"0', "[Red]0.0"]) {
    assert(!isDateFormat(code), code);
  }
});
