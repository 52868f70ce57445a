import { assert, assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const CSV = { "content-type": "text/csv" };

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Posts `bytes` (streamed in 64 KiB chunks), expects `type`, and returns the failed run. */
async function failedRun(
  app: TestApp,
  bytes: Uint8Array<ArrayBuffer>,
  status: number,
  type: string,
): Promise<Json> {
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset += 65536));
    },
  });
  const res = await app.fetch("/api/v1/uploads/facilities", {
    method: "POST",
    body,
    headers: CSV,
  });
  const { error } = await app.json<Json>(res);
  assertEquals([res.status, error.type], [status, type], JSON.stringify(error));
  assert(error.details.runId, "the error names its run");
  const run = await app.json<Json>(await app.fetch(`/api/v1/runs/${error.details.runId}`));
  assertEquals(run.status, "failed");
  return run;
}

const encode = (text: string) => new TextEncoder().encode(text);
// Two megabytes of rows: the readers stop long before the end of a file with a bad start.
const ROWS = "ABC-000001,North Plant,Kent,51.5,-0.12,2001-02-03,yes\n".repeat(40_000);

appTest("a failed run records the size and SHA-256 of the whole file received", async (app) => {
  const cases: Array<[Uint8Array<ArrayBuffer>, number, string]> = [
    [encode(`facility,county,county\n${ROWS}`), 422, "header_error"],
    [
      new Uint8Array([...encode("facility_id,name\n"), 0xff, 0xfe, ...encode(ROWS)]),
      422,
      "encoding_error",
    ],
    [encode("\n\n\r\n"), 400, "bad_request"],
    [encode(`facility_id,name\nABC-000001,"open\n${ROWS}`), 422, "parse_error"],
  ];
  for (const [bytes, status, type] of cases) {
    const run = await failedRun(app, bytes, status, type);
    assertEquals(
      [run.fileBytes, run.sha256, run.fileComplete],
      [bytes.length, await sha256(bytes), true],
      type,
    );
  }
  // A file that imports records the same.
  const ok = encode(FACILITIES);
  const res = await app.fetch("/api/v1/uploads/facilities", {
    method: "POST",
    body: ok,
    headers: CSV,
  });
  const run = await app.json<Json>(res);
  assertEquals([run.fileBytes, run.sha256, run.fileComplete], [ok.length, await sha256(ok), true]);
});

appTest(
  "a run stopped at the size limit records that only part of the file arrived",
  async (app) => {
    const bytes = encode(FACILITIES + ROWS);
    const run = await failedRun(app, bytes, 413, "file_too_large");
    assertEquals(run.fileComplete, false);
    assert(run.fileBytes > 100_000 && run.fileBytes < bytes.length, String(run.fileBytes));
    assertEquals(run.sha256, await sha256(bytes.slice(0, run.fileBytes)));
  },
  { INTAKE_MAX_FILE_BYTES: "100000" },
);
