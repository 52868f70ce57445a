import { assert, assertEquals, assertMatch } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

function post(app: TestApp, path: string, body: BodyInit | null, headers: HeadersInit = {}) {
  return app.fetch(path, { method: "POST", body, headers });
}

async function expectError(res: Response, status: number, type: string): Promise<Json> {
  const body = await res.json();
  assertEquals(res.status, status, JSON.stringify(body));
  assertEquals(body.error.type, type);
  assert(typeof body.error.message === "string" && body.error.message.length > 0);
  return body.error;
}

const CSV = { "content-type": "text/csv" };

appTest("upload types are listed with their rules and limits", async (app) => {
  const res = await app.fetch("/api/v1/upload-types");
  assertEquals(res.status, 200);
  const { uploadTypes } = await res.json();
  assertEquals(uploadTypes.map((t: Json) => t.name), ["emissions", "facilities"]);
  const emissions = uploadTypes[0];
  assertEquals(emissions.key, ["facility_id", "year", "pollutant"]);
  assertEquals(emissions.writeMode, "upsert");
  assertEquals(emissions.onInvalid, "reject");
  assertEquals(typeof emissions.maxFileBytes, "number");
  assertEquals(typeof emissions.maxRows, "number");
  const pollutant = emissions.columns.find((c: Json) => c.name === "pollutant");
  assertEquals(pollutant.values, ["CO2", "CH4", "N2O", "NOX", "SO2", "PM25"]);
  await expectError(await app.fetch("/api/v1/upload-types/nope"), 404, "unknown_upload_type");
});

appTest("template.csv has the header and an example row that imports cleanly", async (app) => {
  for (const type of ["facilities", "emissions"]) {
    const res = await app.fetch(`/api/v1/upload-types/${type}/template.csv`);
    assertEquals(res.status, 200);
    assertMatch(res.headers.get("content-type")!, /^text\/csv/);
    const template = await res.text();
    assertEquals(template.trim().split("\r\n").length, 2);
    const upload = await post(app, `/api/v1/uploads/${type}`, template, CSV);
    const run = await upload.json();
    assertEquals(upload.status, 201, JSON.stringify(run));
    assertEquals(run.counts.new, 1);
  }
});

appTest("raw CSV and TSV bodies are accepted with X-File-Name", async (app) => {
  const res = await post(app, "/api/v1/uploads/facilities?mode=staged", FACILITIES, {
    ...CSV,
    "x-file-name": "plants%20list.csv",
  });
  const run = await res.json();
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.fileName, "plants list.csv");
  assertEquals(run.counts.new, 3);
  const tsv = FACILITIES.replaceAll(",", "\t");
  const tsvRes = await post(app, "/api/v1/uploads/facilities", tsv, {
    "content-type": "text/tab-separated-values",
  });
  assertEquals(tsvRes.status, 201);
  assertEquals((await tsvRes.json()).counts.new, 3);
});

appTest("each bad upload gets its typed error and status", async (app) => {
  await expectError(
    await post(app, "/api/v1/uploads/nope", FACILITIES, CSV),
    404,
    "unknown_upload_type",
  );
  await expectError(
    await post(app, "/api/v1/uploads/facilities", "GIF89a", { "content-type": "image/gif" }),
    415,
    "unsupported_file_type",
  );
  await expectError(await post(app, "/api/v1/uploads/facilities", "", CSV), 400, "bad_request");
  await expectError(
    await post(app, "/api/v1/uploads/facilities", "\n\n\r\n", CSV),
    400,
    "bad_request",
  );
  await expectError(
    await post(app, "/api/v1/uploads/facilities?mode=later", FACILITIES, CSV),
    400,
    "bad_request",
  );
  const header = await expectError(
    await post(app, "/api/v1/uploads/facilities", "facility,county,county\nABC-000001,x,y\n", CSV),
    422,
    "header_error",
  );
  assertEquals(header.details.missing, ["name"]);
  assertEquals(header.details.duplicate, ["county", "county"]);
  assert(header.details.runId);
  const parse = await expectError(
    await post(app, "/api/v1/uploads/facilities", 'facility_id,name\nABC-000001,"open\n\n', CSV),
    422,
    "parse_error",
  );
  assertEquals(parse.details.line, 2);
  const encoding = await expectError(
    await post(
      app,
      "/api/v1/uploads/facilities",
      new Uint8Array([0x61, 0x0a, 0xff, 0xfe, 0x41]),
      CSV,
    ),
    422,
    "encoding_error",
  );
  assertEquals(encoding.details.line, 2);
  await expectError(
    await post(app, "/api/v1/uploads/facilities?encoding=ebcdic", FACILITIES, CSV),
    400,
    "bad_request",
  );
  // A name every object inherits is no encoding either.
  await expectError(
    await post(app, "/api/v1/uploads/facilities?encoding=constructor", FACILITIES, CSV),
    400,
    "bad_request",
  );
  await expectError(
    await app.fetch("/api/v1/runs/00000000-0000-0000-0000-000000000000"),
    404,
    "not_found",
  );
  await expectError(await app.fetch("/api/v1/runs/not-a-uuid"), 404, "not_found");
  await expectError(await app.fetch("/api/v1/runs?status=sleeping"), 400, "bad_request");
  await expectError(await app.fetch("/api/v1/nothing-here"), 404, "not_found");
});

appTest("a declared latin1 encoding decodes the file", async (app) => {
  const bytes = new Uint8Array([
    ...new TextEncoder().encode("facility_id,name\nABC-000001,Caf"),
    0xe9,
    0x0a,
  ]);
  const res = await post(app, "/api/v1/uploads/facilities?encoding=latin1", bytes, CSV);
  assertEquals(res.status, 201);
  await res.body?.cancel();
  const exported = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
  assert(exported.includes("ABC-000001,Café"));
  const res2 = await post(app, "/api/v1/uploads/facilities", bytes, {
    "content-type": "text/csv; charset=windows-1252",
  });
  assertEquals(res2.status, 201);
  await res2.body?.cancel();
});

appTest("a header-only file is a valid run with no rows", async (app) => {
  const res = await post(app, "/api/v1/uploads/facilities", "facility_id,name\r\n", CSV);
  const run = await res.json();
  assertEquals(res.status, 201, JSON.stringify(run));
  assertEquals(run.status, "committed");
  assertEquals(run.counts.rows, 0);
});

appTest("files over the operator's cap are refused with 413", async (app) => {
  const big = FACILITIES + "ABC-000009,x\n".repeat(200);
  await expectError(await post(app, "/api/v1/uploads/facilities", big, CSV), 413, "file_too_large");
  const chunked = new Blob([big]).stream();
  const res = await app.fetch("/api/v1/uploads/facilities", {
    method: "POST",
    body: chunked,
    headers: CSV,
  });
  const error = await expectError(res, 413, "file_too_large");
  assertEquals(error.details.maxBytes, 1000);
}, { INTAKE_MAX_FILE_BYTES: "1000" });

appTest("Prefer: respond-async answers 202 with the run's location", async (app) => {
  const res = await post(app, "/api/v1/uploads/facilities", FACILITIES, {
    ...CSV,
    prefer: "respond-async",
  });
  assertEquals(res.status, 202);
  const run = await res.json();
  assertEquals(res.headers.get("location"), `/api/v1/runs/${run.id}`);
  await Promise.allSettled([...app.services.inFlight]);
  const done = await (await app.fetch(`/api/v1/runs/${run.id}`)).json();
  assertEquals(done.status, "committed");
});

appTest("run history pages newest first and filters by type and status", async (app) => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await post(app, "/api/v1/uploads/facilities?mode=staged", FACILITIES, CSV);
    ids.push((await res.json()).id);
  }
  const failed = await post(app, "/api/v1/uploads/emissions", "x\n1\n", CSV);
  await failed.body?.cancel();
  const page1 = await (await app.fetch("/api/v1/runs?type=facilities&limit=2")).json();
  assertEquals(page1.runs.map((r: Json) => r.id), [ids[2], ids[1]]);
  const page2 =
    await (await app.fetch(`/api/v1/runs?type=facilities&limit=2&cursor=${page1.nextCursor}`))
      .json();
  assertEquals(page2.runs.map((r: Json) => r.id), [ids[0]]);
  assertEquals(page2.nextCursor, null);
  const failures = await (await app.fetch("/api/v1/runs?status=failed")).json();
  assertEquals(failures.runs.map((r: Json) => r.uploadType), ["emissions"]);
});

appTest("GET /runs/{id}/events streams the run until it settles", async (app) => {
  const rows = Array.from(
    { length: 3000 },
    (_, i) => `ABC-${String(i).padStart(6, "0")},Site ${i}`,
  );
  const res = await post(
    app,
    "/api/v1/uploads/facilities",
    `facility_id,name\n${rows.join("\n")}\n`,
    {
      ...CSV,
      prefer: "respond-async",
    },
  );
  assertEquals(res.status, 202);
  const { id } = await res.json();
  const events = await app.fetch(`/api/v1/runs/${id}/events`);
  assertEquals(events.headers.get("content-type"), "text/event-stream");
  const text = await events.text();
  const runs = text.trim().split("\n\n").map((block) => {
    const [event, data] = block.split("\n");
    assertEquals(event, "event: run");
    return JSON.parse(data.slice("data: ".length));
  });
  assert(runs.length >= 1);
  assertEquals(runs[runs.length - 1].status, "committed");
  assertEquals(runs[runs.length - 1].counts.new, 3000);
  await expectError(await app.fetch("/api/v1/runs/not-a-uuid/events"), 404, "not_found");
});
