import { assertEquals, assertMatch } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { writeXlsx, type XlsxCell } from "../xlsx_writer.ts";
import { FACILITIES } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER = ["Facility ID", "Name", "County", "Latitude", "Longitude", "Opened on", "Active"];
// FACILITIES as Excel would hold them: numbers, real dates and booleans.
const ROWS: XlsxCell[][] = [
  ["ABC-000001", "North Plant", "Kent", 51.5, -0.12, new Date("2001-02-03T00:00:00Z"), true],
  ["ABC-000002", "South Plant", "Essex", 50.1, 1.25, new Date("1999-12-31T00:00:00Z"), false],
  ["ABC-000003", "East Works", null, null, null, null, null],
];

function send(app: TestApp, bytes: Uint8Array<ArrayBuffer>, query = "mode=direct") {
  const form = new FormData();
  form.set("file", new File([bytes], "facilities.xlsx", { type: XLSX }));
  return app.fetch(`/api/v1/uploads/facilities?${query}`, { method: "POST", body: form });
}

async function exported(app: TestApp): Promise<string> {
  return await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
}

appTest("an Excel workbook imports the same table as the CSV file", async (app) => {
  const book = await writeXlsx([
    { name: "Read me", rows: [["This sheet is not the data"]] },
    { name: "Facilities", rows: [HEADER, ...ROWS] },
  ]);
  const res = await send(app, book, "mode=direct&sheet=Facilities");
  const run = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.counts.new, 3);
  const fromXlsx = await exported(app);
  const again = await app.json<Json>(
    await app.upload("facilities", FACILITIES, { mode: "staged" }),
  );
  assertEquals(again.counts, {
    rows: 3,
    new: 0,
    changed: 0,
    unchanged: 3,
    invalid: 0,
    deleted: 0,
    excluded: 0,
  });
  assertEquals(await exported(app), fromXlsx);
});

appTest(
  "a workbook's first sheet is read by default; an unknown sheet lists the sheets",
  async (app) => {
    const book = await writeXlsx([
      { name: "Facilities", rows: [HEADER, ...ROWS] },
      { name: "Other", rows: [["x"]] },
    ]);
    const staged = await app.json<Json>(await send(app, book, "mode=staged"));
    assertEquals(staged.counts.new, 3);
    const res = await send(app, book, "sheet=Nope");
    const error = (await app.json<Json>(res)).error;
    assertEquals([res.status, error.type], [400, "bad_request"]);
    assertEquals(error.details.sheets, ["Facilities", "Other"]);
  },
);

appTest("a merged header is a header_error naming the blank column", async (app) => {
  const book = await writeXlsx([{
    name: "S",
    rows: [["Facility ID", null, "County"], ["ABC-000001", "x", "Kent"]],
    merges: ["A1:B1"],
  }]);
  const res = await send(app, book);
  const error = (await app.json<Json>(res)).error;
  assertEquals([res.status, error.type], [422, "header_error"]);
  assertEquals(error.details.blank, ["B"]);
  assertMatch(error.message, /merged/);
});

appTest("a workbook that expands past ten times the upload limit is refused", async (app) => {
  // One 2 MB shared string: a few KB compressed, 20 times the 100 KB limit expanded.
  const book = await writeXlsx([{ name: "S", rows: [HEADER.slice(0, 3), ["x".repeat(2e6)]] }]);
  assertEquals(book.length < 100_000, true);
  const res = await send(app, book);
  const error = (await app.json<Json>(res)).error;
  assertEquals([res.status, error.type], [413, "file_too_large"], JSON.stringify(error));
  assertMatch(error.message, /zip bomb/);
  assertEquals((await app.fetch("/health")).status, 200);
}, { INTAKE_MAX_FILE_BYTES: "100000" });

appTest("a CSV sent as .xlsx is refused with what was found", async (app) => {
  const res = await send(app, new TextEncoder().encode(FACILITIES));
  const error = (await app.json<Json>(res)).error;
  assertEquals([res.status, error.type], [415, "unsupported_file_type"]);
  assertEquals(error.details.detected, "not-xlsx");
});
