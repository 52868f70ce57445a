import { assert, assertEquals, assertRejects, test } from "../tests/assert.ts";
import { writeXlsx } from "../tests/xlsx_writer.ts";
import { IngestError } from "./errors.ts";
import { inspectFile, type InspectRequest } from "./inspect.ts";

const body = (text: string | Uint8Array<ArrayBuffer>) => new Blob([text]).stream();

function inspect(text: string | Uint8Array<ArrayBuffer>, options: Partial<InspectRequest> = {}) {
  return inspectFile({ body: body(text), format: "csv", maxBytes: 1 << 20, ...options });
}

async function ingestError(promise: Promise<unknown>, type: string): Promise<IngestError> {
  const error = await assertRejects(() => promise);
  assert(error instanceof IngestError, String(error));
  assertEquals(error.type, type, error.message);
  return error;
}

/** An endless CSV body that records how far it was read and whether it was cancelled. */
function endlessCsv() {
  const seen = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      seen.pulls++;
      const lines = seen.pulls === 1 ? "Site,Name\n" : "";
      controller.enqueue(new TextEncoder().encode(lines + `A-${seen.pulls},Plant\n`.repeat(500)));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

test("inspectFile() returns the header and the first five rows of a CSV or TSV file", async () => {
  const csv = ["Site;Name", ...Array.from({ length: 9 }, (_, i) => `A-${i};"P ${i}"`)].join("\n");
  const seen = await inspect(csv);
  assertEquals(seen.format, "csv");
  assertEquals(seen.header, ["Site", "Name"]);
  assertEquals(seen.rows, [0, 1, 2, 3, 4].map((i) => [`A-${i}`, `P ${i}`]));
  assertEquals(seen.sheets, undefined);
  const tsv = await inspect("a,b\tc\n1\t2\n", { delimiter: "\t" });
  assertEquals([tsv.header, tsv.rows], [["a,b", "c"], [["1", "2"]]]);
});

test("inspectFile() reads JSON arrays and NDJSON as the import would", async () => {
  const json = await inspect('[{"Site": "A-1", "n": 1.5}, {"Site": "A-2", "ok": true}]', {
    format: "json",
  });
  assertEquals(json.header, ["Site", "n", "ok"]);
  assertEquals(json.rows, [["A-1", "1.5", ""], ["A-2", "", "true"]]);
  const ndjson = await inspect('{"Site": "A-1"}\n{"Site": null}\n', { format: "ndjson" });
  assertEquals([ndjson.format, ndjson.header, ndjson.rows], ["ndjson", ["Site"], [["A-1"], [""]]]);
});

test("inspectFile() lists a workbook's sheets and reads the one asked for", async () => {
  const book = await writeXlsx([
    { name: "Notes", rows: [["Read me"]] },
    { name: "Data", rows: [["Site", "Opened"], ["A-1", new Date("2001-02-03T00:00:00Z")]] },
  ]);
  const first = await inspect(book, { format: "xlsx" });
  assertEquals(first, { format: "xlsx", sheets: ["Notes", "Data"], header: ["Read me"], rows: [] });
  const data = await inspect(book, { format: "xlsx", sheet: "Data" });
  assertEquals([data.header, data.rows], [["Site", "Opened"], [["A-1", "2001-02-03"]]]);
  const error = await ingestError(inspect(book, { format: "xlsx", sheet: "Nope" }), "bad_request");
  assertEquals(error.details.sheets, ["Notes", "Data"]);
});

test("inspectFile() stops reading a text file after the first rows and cancels the body", async () => {
  const { stream, seen } = endlessCsv();
  const found = await inspectFile({ body: stream, format: "csv", maxBytes: 1 << 30 });
  assertEquals(found.header, ["Site", "Name"]);
  assertEquals(found.rows.length, 5);
  assert(seen.cancelled, "the body was cancelled");
  // The delimiter is guessed from the first 64 KiB; nothing much past that is read.
  assert(seen.pulls < 20, `read ${seen.pulls} chunks`);
});

test("inspectFile() refuses what the import refuses", async (t) => {
  await t.step("over the size limit", async () => {
    const error = await ingestError(inspect("a\n".repeat(100), { maxBytes: 50 }), "file_too_large");
    assertEquals(error.details.maxBytes, 50);
  });
  await t.step("an empty file", async () => {
    await ingestError(inspect(" \n\n"), "bad_request");
  });
  await t.step("JSON sent as CSV", async () => {
    const error = await ingestError(inspect('[{"a": 1}]'), "unsupported_file_type");
    assertEquals(error.details.detected, "json");
  });
  await t.step("a workbook sent as CSV", async () => {
    const book = await writeXlsx([{ name: "S", rows: [["a"]] }]);
    await ingestError(inspect(book), "unsupported_file_type");
  });
  await t.step("broken JSON", async () => {
    await ingestError(inspect("[{", { format: "json" }), "parse_error");
  });
});
