import { assert, assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { writeXlsx } from "../xlsx_writer.ts";
import { FACILITIES } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const INSPECT = "/api/v1/upload-types/facilities/inspect";
const OBJECTS = [
  { Site: "ABC-000001", "Site name": "North Plant", county: "Kent", latitude: 51.5 },
  { Site: "ABC-000002", "Site name": "South Plant", county: null, active: true },
];

/** Sends `file` to the inspect endpoint as a multipart form. */
function inspect(app: TestApp, file: File, query = "") {
  const form = new FormData();
  form.set("file", file);
  return app.fetch(`${INSPECT}${query}`, { method: "POST", body: form });
}

async function expectError(res: Response, status: number, type: string) {
  const body = await res.json() as Json;
  assertEquals([res.status, body.error?.type], [status, type], JSON.stringify(body));
  return body.error;
}

async function runCount(app: TestApp): Promise<number> {
  return (await (await app.fetch("/api/v1/runs")).json() as Json).runs.length;
}

appTest(
  "inspecting a JSON file shows its header and first rows, and creates no run",
  async (app) => {
    const json = JSON.stringify(OBJECTS);
    const res = await inspect(app, new File([json], "sites.json", { type: "application/json" }));
    const body = await res.json() as Json;
    assertEquals(res.status, 200, JSON.stringify(body));
    assertEquals(body, {
      format: "json",
      header: ["Site", "Site name", "county", "latitude", "active"],
      rows: [
        ["ABC-000001", "North Plant", "Kent", "51.5", ""],
        ["ABC-000002", "South Plant", "", "", "true"],
      ],
      mapping: null,
      savedMapping: null,
    });
    assertEquals(await runCount(app), 0);
  },
);

appTest(
  "a mapping saved from a committed upload comes back when the same header is inspected",
  async (app) => {
    const mapping = { Site: "facility_id", "Site name": "name" };
    const ndjson = OBJECTS.map((o) => JSON.stringify(o)).join("\n") + "\n";
    const query = `?mode=staged&mapping=${encodeURIComponent(JSON.stringify(mapping))}`;
    const upload = await app.fetch(`/api/v1/uploads/facilities${query}`, {
      method: "POST",
      body: ndjson,
      headers: { "content-type": "application/x-ndjson" },
    });
    assertEquals(upload.status, 201, await upload.clone().text());
    const { id } = await upload.json() as Json;
    const commit = await app.fetch(`/api/v1/runs/${id}/commit`, { method: "POST" });
    assertEquals(commit.status, 200);
    await commit.body?.cancel();
    // A raw NDJSON body, like the upload's; header case and spacing do not matter.
    const res = await app.fetch(INSPECT, {
      method: "POST",
      body: ndjson.replaceAll('"Site name"', '"SITE NAME"'),
      headers: { "content-type": "application/x-ndjson", "x-file-name": "sites.ndjson" },
    });
    const body = await res.json() as Json;
    assertEquals(res.status, 200, JSON.stringify(body));
    assertEquals(body.format, "ndjson");
    assertEquals(body.header, ["Site", "SITE NAME", "county", "latitude", "active"]);
    assertEquals(body.mapping, { Site: "facility_id", "SITE NAME": "name" });
    assertEquals(body.savedMapping.shared, true);
    assertEquals(await runCount(app), 1);
  },
);

appTest("inspecting a workbook lists its sheets and reads the one asked for", async (app) => {
  const book = await writeXlsx([
    { name: "Read me", rows: [["Notes"]] },
    {
      name: "Sites",
      rows: [
        ["Site", "Site name", "Opened", "Active"],
        ["ABC-000001", "North Plant", new Date("2001-02-03T00:00:00Z"), true],
        ["ABC-000002", "South Plant", null, false],
      ],
    },
  ]);
  const file = new File([book], "sites.xlsx", { type: XLSX });
  const res = await inspect(app, file, "?sheet=Sites");
  const body = await res.json() as Json;
  assertEquals(res.status, 200, JSON.stringify(body));
  assertEquals(body, {
    format: "xlsx",
    sheets: ["Read me", "Sites"],
    header: ["Site", "Site name", "Opened", "Active"],
    rows: [
      ["ABC-000001", "North Plant", "2001-02-03", "true"],
      ["ABC-000002", "South Plant", "", "false"],
    ],
    mapping: null,
    savedMapping: null,
  });
  const first = await (await inspect(app, file)).json() as Json;
  assertEquals([first.header, first.rows], [["Notes"], []]);
  const unknown = await expectError(await inspect(app, file, "?sheet=Nope"), 400, "bad_request");
  assertEquals(unknown.details.sheets, ["Read me", "Sites"]);
  assertEquals(await runCount(app), 0);
});

appTest("inspecting a CSV file returns the first five data rows only", async (app) => {
  const csv = FACILITIES + Array.from({ length: 20 }, (_, i) => `XYZ-00000${i},x${i}`).join("\n");
  const res = await inspect(app, new File([csv], "f.csv", { type: "text/csv" }));
  const body = await res.json() as Json;
  assertEquals(res.status, 200, JSON.stringify(body));
  assertEquals(body.format, "csv");
  assertEquals(body.header, FACILITIES.split("\n")[0].split(","));
  assertEquals(body.rows.length, 5);
  assertEquals(body.rows[3], ["XYZ-000000", "x0"]);
  assertEquals(await runCount(app), 0);
});

appTest("a large text body is answered after its first rows, not read to the end", async (app) => {
  const line = (i: number) => JSON.stringify({ Site: `ABC-${i}`, "Site name": "x".repeat(200) });
  let sent = 0;
  // About 45 MB if it were read whole: the stream only produces as fast as the server reads.
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 200_000) return controller.close();
      const chunk = Array.from({ length: 1000 }, (_, k) => line(sent + k)).join("\n") + "\n";
      sent += 1000;
      controller.enqueue(new TextEncoder().encode(chunk));
    },
  });
  const res = await app.fetch(INSPECT, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-ndjson" },
  });
  const json = await res.json() as Json;
  assertEquals(res.status, 200, JSON.stringify(json));
  assertEquals(json.rows.length, 5);
  assertEquals(json.rows[0][0], "ABC-0");
  // What the connection buffered was read (about 5 MB here), not the whole body.
  assert(sent < 100_000, `sent ${sent} objects`);
});

appTest("inspecting refuses what an upload refuses", async (app) => {
  const pdf = new File(["%PDF-1.4"], "report.pdf", { type: "application/pdf" });
  const refused = await expectError(await inspect(app, pdf), 415, "unsupported_file_type");
  assertEquals(refused.details.fileName, "report.pdf");
  const disguised = new File(['[{"a": 1}]'], "data.csv", { type: "text/csv" });
  const mismatch = await expectError(await inspect(app, disguised), 415, "unsupported_file_type");
  assertEquals(mismatch.details.detected, "json");
  const broken = new File(['[{"a": 1}, {"b": '], "data.json", { type: "application/json" });
  await expectError(await inspect(app, broken), 422, "parse_error");
  const empty = new File(["\n\n"], "empty.csv", { type: "text/csv" });
  await expectError(await inspect(app, empty), 400, "bad_request");
  await expectError(
    await app.fetch("/api/v1/upload-types/nope/inspect", { method: "POST", body: "a\n1\n" }),
    404,
    "unknown_upload_type",
  );
  assertEquals(await runCount(app), 0);
});

appTest("files over the size limit are refused with 413, declared or not", async (app) => {
  const big = FACILITIES + "ABC-000009,x\n".repeat(200);
  const declared = await inspect(app, new File([big], "big.csv", { type: "text/csv" }));
  await expectError(declared, 413, "file_too_large");
  const chunked = await app.fetch(INSPECT, {
    method: "POST",
    body: new Blob([big]).stream(),
    headers: { "content-type": "text/csv" },
  });
  assertEquals((await expectError(chunked, 413, "file_too_large")).details.maxBytes, 1000);
  // A workbook is read whole, so its size always counts.
  const book = await writeXlsx([{
    name: "S",
    rows: Array.from({ length: 200 }, (_, i) => [`ABC-${i}`, "x".repeat(20), i]),
  }]);
  assert(book.length > 1000, `${book.length} bytes`);
  const workbook = await app.fetch(INSPECT, {
    method: "POST",
    body: new Blob([book]).stream(),
    headers: { "content-type": XLSX },
  });
  await expectError(workbook, 413, "file_too_large");
  assertEquals(await runCount(app), 0);
}, { INTAKE_MAX_FILE_BYTES: "1000" });
