/**
 * Issue 25 through real HTTP, on PGlite and PostgreSQL: no single upload can take the server
 * down. Uploads past the per-upload budget (`core/limits.ts`) are refused with `413
 * limit_exceeded` naming the limit; an oversized error already stored does not break the pages
 * and API that list runs; a NUL anywhere in an upload is a typed 4xx (or, in a file name, dropped)
 * and never a run left `receiving`; JSON numbers reach a `numeric` column exactly.
 *
 * @module
 */
import { sql } from "kysely";
import type { Run } from "../core/runs/run.ts";
import { appTest, type TestApp, workerAppTest } from "./app_harness.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import {
  type HostileFile,
  manyKeysJson,
  NUL_FILE_NAME,
  NUL_MAPPING,
  nulFile,
  nulFileNameForm,
  type NulPlace,
  preciseNumbersJson,
  twoFieldHeaderCsv,
} from "./hostile_files.ts";
import { pollUntil } from "./poll.ts";
import type { DemoTables } from "./demo_tables.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** Uploads are processed during their request (none queued), whatever their size. */
const NOT_QUEUED = { INTAKE_ASYNC_THRESHOLD_BYTES: String(2 ** 40) };

/** Sends a hostile file as a multipart form, as a browser would. */
async function send(
  app: TestApp,
  file: HostileFile,
  options: { type?: string; query?: string } = {},
): Promise<{ res: Response; body: Json }> {
  const form = new FormData();
  form.set("file", new File([file.bytes], file.name, { type: file.contentType }));
  const res = await app.fetch(
    `/api/v1/uploads/${options.type ?? "facilities"}?mode=direct${options.query ?? ""}`,
    { method: "POST", body: form },
  );
  return { res, body: await res.json() };
}

/** The server still answers, and its run listings load. */
async function assertServing(app: TestApp): Promise<void> {
  for (const path of ["/health/ready", "/", "/runs", "/api/v1/runs"]) {
    const res = await app.fetch(path);
    await res.body?.cancel();
    assertEquals(res.status, 200, path);
  }
}

/** The run the error names, once it has settled (a failed run settles within its request). */
async function runOf(app: TestApp, body: Json): Promise<Run> {
  const runId = body.error?.details?.runId;
  assert(runId, `the error names its run: ${JSON.stringify(body).slice(0, 500)}`);
  return await (await app.fetch(`/api/v1/runs/${runId}`)).json();
}

/** The facilities the emissions reference. */
async function addFacility(app: TestApp): Promise<void> {
  await app.db.kysely.withTables<DemoTables>().insertInto("facilities").values({
    facility_id: "ABC-000101",
    name: "F",
  })
    .execute();
}

appTest(
  "a CSV whose header is two 15 MiB fields is 413 limit_exceeded, and the server goes on",
  async (app) => {
    const { res, body } = await send(app, twoFieldHeaderCsv());
    assertEquals(res.status, 413, JSON.stringify(body).slice(0, 500));
    assertEquals(body.error.type, "limit_exceeded");
    assertEquals(body.error.details.limit, "maxRecordBytes");
    assertEquals(body.error.details.max, 16 * 1024 * 1024);
    assertEquals([body.error.details.line, body.error.details.row], [1, 1]);
    assertMatch(body.error.message, /maxRecordBytes|exceeds 16777216 bytes/);
    const run = await runOf(app, body);
    assertEquals([run.status, run.error?.type], ["failed", "limit_exceeded"]);
    await assertServing(app);
  },
  NOT_QUEUED,
);

appTest(
  "INTAKE_UPLOAD_MEMORY_BYTES sets the budget: a 1 MiB budget refuses a 600 KB record",
  async (app) => {
    assertEquals(app.services.settings.uploadLimits.maxRecordBytes, 512 * 1024);
    const { res, body } = await send(app, twoFieldHeaderCsv(300 * 1024));
    assertEquals(res.status, 413, JSON.stringify(body).slice(0, 500));
    assertEquals([body.error.details.limit, body.error.details.max], [
      "maxRecordBytes",
      512 * 1024,
    ]);
    const small = await send(app, twoFieldHeaderCsv(200 * 1024));
    // Within the budget the file is read, and refused only for its header's content.
    assertEquals([small.res.status, small.body.error.type], [422, "header_error"]);
    await assertServing(app);
  },
  { ...NOT_QUEUED, INTAKE_UPLOAD_MEMORY_BYTES: String(1024 * 1024) },
);

appTest(
  "JSON of 1,000 objects with 1,000 distinct keys each is 413 limit_exceeded (maxColumns)",
  async (app) => {
    const { res, body } = await send(app, manyKeysJson());
    assertEquals(res.status, 413, JSON.stringify(body).slice(0, 500));
    assertEquals(body.error.type, "limit_exceeded");
    assertEquals([body.error.details.limit, body.error.details.max], ["maxColumns", 20_000]);
    // The 21st object brings the union past 20,000 keys.
    assertEquals(body.error.details.line, 21);
    await assertServing(app);
  },
  NOT_QUEUED,
);

workerAppTest(
  "queued, the 1,000 × 1,000-key JSON fails its run with limit_exceeded once",
  { pollMs: 50 },
  async (app) => {
    const { res, body } = await send(app, manyKeysJson(), { query: "&async=1" });
    assertEquals(res.status, 202, JSON.stringify(body).slice(0, 500));
    const failed = await pollUntil("the queued run to fail", async () => {
      const run = await (await app.fetch(`/api/v1/runs/${body.id}`)).json() as Run;
      return run.status === "failed" ? run : undefined;
    });
    assertEquals(failed.error?.type, "limit_exceeded");
    assertEquals(failed.error?.details.limit, "maxColumns");
    await assertServing(app);
  },
);

appTest(
  "a header error quoting a long header is stored bounded, with the header's length said",
  async (app) => {
    // Two 3 MB header names (within the budget), the same: the message quotes the name, the
    // details list it three times (found, unexpected, duplicate).
    const name = "h".repeat(3 * 1024 * 1024);
    const csv = `facility_id,name,${name},${name}\n1,2,3,4\n`;
    const res = await app.upload("facilities", csv);
    const body = await res.json();
    assertEquals([res.status, body.error.type], [422, "header_error"]);
    const text = JSON.stringify(body);
    assert(text.length < 64 * 1024, `the answer is ${text.length} characters`);
    assertMatch(body.error.message, /… \(3,145,728 characters\)/);
    assertEquals(body.error.details.found[2].length, 500 + "… (3,145,728 characters)".length);
    const run = await runOf(app, body);
    assert(JSON.stringify(run.error).length < 64 * 1024, "the run's error is bounded");
    await assertServing(app);
  },
);

appTest(
  "a 94 MB error stored before errors were bounded leaves /, /runs and /api/v1/runs up",
  async (app) => {
    const id = crypto.randomUUID();
    const chars = 30 * 1024 * 1024;
    // Built in the database: the row a 30 MB header once left in ingest_runs.error.
    await sql`insert into ingest_runs (id, upload_type, mode, status, error, finished_at)
      select ${id}::uuid, 'facilities', 'direct', 'failed', jsonb_build_object(
        'type', 'header_error',
        'message', 'The header row is not valid: ' || h,
        'details', jsonb_build_object('found', jsonb_build_array(h), 'unexpected',
          jsonb_build_array(h), 'expected', jsonb_build_array('facility_id'))), now()
      from (select repeat('x', ${chars}) as h) as t`.execute(app.db.kysely);
    for (const path of ["/", "/runs", "/api/v1/runs", `/runs/${id}`, `/api/v1/runs/${id}`]) {
      const res = await app.fetch(path);
      const text = await res.text();
      assertEquals(res.status, 200, path);
      assert(text.length < 1024 * 1024, `${path} answers ${text.length} characters`);
    }
    const listed = await (await app.fetch("/api/v1/runs")).json();
    const run = listed.runs.find((r: Run) => r.id === id);
    assertEquals(run.error.type, "header_error");
    assertMatch(run.error.message, /^The header row is not valid: x{1971}… \(cut\)$/);
    assertMatch(run.error.details.omitted, /^details of a stored error of [0-9]+ bytes$/);
  },
);

appTest(
  "a NUL in a CSV cell, a JSON key or value, or an NDJSON value is a typed 422",
  async (app) => {
    // A NUL byte in a text file means it is not text (UTF-16, binary): the decoder refuses the
    // file. In JSON a NUL arrives escaped (\u0000) in valid text: the reader refuses the value.
    const places: Array<[NulPlace, string]> = [
      ["csv_cell", "parse_error"],
      ["json_key", "encoding_error"],
      ["json_value", "encoding_error"],
      ["ndjson_value", "encoding_error"],
    ];
    for (const [place, type] of places) {
      const { res, body } = await send(app, nulFile(place));
      assertEquals(res.status, 422, `${place}: ${JSON.stringify(body)}`);
      assertEquals(body.error.type, type, place);
      assertEquals(body.error.details.line, 2, place);
      assert(!/invalid byte sequence|0x00/.test(body.error.message), body.error.message);
      const run = await runOf(app, body);
      assertEquals([run.status, run.error?.type], ["failed", type], place);
    }
    const csv = await send(app, nulFile("csv_cell"));
    assertEquals(csv.body.error.details.offset, "facility_id,name\nABC-000001,Nul".length);
    await assertServing(app);
  },
);

appTest(
  "a NUL in X-File-Name or a multipart filename is dropped from the stored name",
  async (app) => {
    const csv = "facility_id,name\nABC-000001,One\n";
    const raw = await app.fetch("/api/v1/uploads/facilities?mode=direct", {
      method: "POST",
      body: csv,
      headers: { "content-type": "text/csv", "x-file-name": encodeURIComponent(NUL_FILE_NAME) },
    });
    const form = nulFileNameForm(csv);
    const multipart = await app.fetch("/api/v1/uploads/facilities?mode=direct", {
      method: "POST",
      body: form.body,
      headers: { "content-type": form.contentType },
    });
    for (const res of [raw, multipart]) {
      const run = await res.json();
      assertEquals(res.status, 201, JSON.stringify(run));
      assertEquals([run.status, run.fileName], ["committed", "facilities.csv"]);
    }
    await assertServing(app);
  },
);

appTest("a mapping naming a NUL is refused with 400, and no run is left receiving", async (app) => {
  const csv = "Facility ID,name\nABC-000001,One\n";
  const res = await app.upload("facilities", csv, {
    query: `&mapping=${encodeURIComponent(NUL_MAPPING)}`,
  });
  const body = await res.json();
  assertEquals([res.status, body.error.type], [400, "bad_request"], JSON.stringify(body));
  assertMatch(body.error.message, /NUL/);
  const listed = await (await app.fetch("/api/v1/runs")).json();
  assertEquals(listed.runs.filter((r: Run) => r.status === "receiving"), []);
});

appTest(
  "JSON numbers reach a numeric column exactly: no rounding, no underflow to 0",
  async (app) => {
    await addFacility(app);
    const amounts = ["12345678901234567890123", "0.1000000000000000055511", "1e-400", "1250.5"];
    const { res, body } = await send(app, preciseNumbersJson(amounts), { type: "emissions" });
    assertEquals(res.status, 201, JSON.stringify(body));
    const rows = await app.db.kysely.withTables<DemoTables>().selectFrom("emissions")
      .select(["year", (eb) => eb.cast<string>("amount", "text").as("amount")])
      .orderBy("year").execute();
    assertEquals(rows.map((r) => r.amount), [
      "12345678901234567890123",
      "0.1000000000000000055511",
      `0.${"0".repeat(399)}1`,
      "1250.5",
    ]);
  },
);
