/**
 * Queued uploads through real HTTP: `?async=1` and uploads above the size threshold answer `202`
 * with a `queued` run that the worker then carries to its end; the run page, the history filter,
 * readiness and the queue-depth gauge see the queue.
 */
import type { Run } from "../../core/runs/run.ts";
import { type TestApp, workerAppTest } from "../app_harness.ts";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { pollUntil } from "../poll.ts";
import { parsePrometheusText, sampleValue } from "../prometheus_text.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./fixtures.ts";
import { runCounts } from "../run_counts.ts";

function settled(app: TestApp, location: string, status: Run["status"]): Promise<Run> {
  return pollUntil(`${location} to be ${status}`, async () => {
    const run = await app.json<Run>(await app.fetch(location));
    return run.status === status ? run : undefined;
  }, { describe: async () => await app.json(await app.fetch(location)) });
}

workerAppTest(
  "?async=1 answers 202 with a queued run that the worker stages",
  { pollMs: 50 },
  async (app) => {
    const res = await app.upload("facilities", FACILITIES, { mode: "staged", query: "&async=1" });
    const queued = await app.json<Run>(res);
    assertEquals(res.status, 202, JSON.stringify(queued));
    assertEquals(queued.status, "queued");
    const location = res.headers.get("location")!;
    assertEquals(location, `/api/v1/runs/${queued.id}`);
    const staged = await settled(app, location, "staged");
    assertEquals(staged.counts, runCounts({ rows: 3, new: 3 }));
    assertEquals(staged.fileName, "facilities.csv");
    assertEquals(staged.fileBytes, FACILITIES.length);
    const rows = await app.json<{ rows: { values: { facility_id: string } }[] }>(
      await app.fetch(`${location}/rows?action=new`),
    );
    assertEquals(rows.rows.map((r) => r.values.facility_id), [
      "ABC-000001",
      "ABC-000002",
      "ABC-000003",
    ]);
    assertEquals((await app.fetch(`${location}/commit`, { method: "POST" })).status, 200);
  },
);

workerAppTest(
  "an upload declaring more than INTAKE_ASYNC_THRESHOLD_BYTES is queued and imported",
  { pollMs: 50 },
  async (app) => {
    assertEquals((await app.upload("facilities", FACILITIES)).status, 201, "small: at once");
    const res = await app.upload("facilities", FACILITIES_CHANGES.repeat(1), { mode: "staged" });
    assertEquals(res.status, 202);
    const queued = await app.json<Run>(res);
    assertEquals(queued.status, "queued");
    const staged = await settled(app, res.headers.get("location")!, "staged");
    assertEquals(
      staged.counts,
      runCounts({ rows: 5, new: 1, changed: 1, unchanged: 1, invalid: 2 }),
    );
    // The error report comes from the rows the worker staged, as for any run.
    const report = await (await app.fetch(`/api/v1/runs/${queued.id}/errors.csv`)).text();
    assertMatch(report, /bad-id/);
  },
  { INTAKE_ASYNC_THRESHOLD_BYTES: "400" },
);

workerAppTest(
  "a queued direct upload with invalid rows fails like a direct one: validation_error",
  { pollMs: 50 },
  async (app) => {
    const res = await app.upload("facilities", FACILITIES_CHANGES, { query: "&async=1" });
    assertEquals(res.status, 202);
    const failed = await settled(app, res.headers.get("location")!, "failed");
    assertEquals(failed.error?.type, "validation_error");
    const target = await (await app.fetch("/api/v1/upload-types/facilities/export.csv")).text();
    assertEquals(target.trim().split("\n").length, 1, "nothing imported: header only");
  },
);

workerAppTest(
  "a queued upload over the size limit answers 413 with the failed run",
  { pollMs: 50 },
  async (app) => {
    // No Content-Length: the limit is found while the body is stored.
    const body = new Blob([FACILITIES.repeat(20)]).stream();
    const res = await app.fetch("/api/v1/uploads/facilities?async=1", {
      method: "POST",
      body,
      headers: { "content-type": "text/csv" },
      duplex: "half",
    } as RequestInit);
    const error = await app.json<{ error: { type: string; details: { runId: string } } }>(res);
    assertEquals([res.status, error.error.type], [413, "file_too_large"]);
    assertEquals(res.headers.get("location"), `/api/v1/runs/${error.error.details.runId}`);
    const run = await app.json<Run>(await app.fetch(res.headers.get("location")!));
    assertEquals(run.status, "failed");
  },
  { INTAKE_MAX_FILE_BYTES: "300" },
);

workerAppTest(
  "a waiting run shows as queued: run page, history filter, readiness and queue depth",
  { concurrency: 0, pollMs: 50 },
  async (app) => {
    const res = await app.upload("facilities", FACILITIES, { query: "&async=1" });
    const queued = await app.json<Run>(res);
    assertEquals([res.status, queued.status], [202, "queued"]);

    const page = await (await app.fetch(`/runs/${queued.id}`)).text();
    assertMatch(page, /class="badge badge-queued">Queued</);
    assertMatch(page, /Waiting for a worker/);
    const list = await app.json<{ runs: Run[] }>(await app.fetch("/api/v1/runs?status=queued"));
    assertEquals(list.runs.map((r) => r.id), [queued.id]);
    assertEquals(list.runs[0].progress, { bytes: FACILITIES.length, rows: 0 }, "stored bytes");
    const history = await (await app.fetch("/runs?status=queued")).text();
    assertMatch(history, /<option value="queued" selected[^>]*>queued</);

    const ready = await app.json<{ checks: { worker: Record<string, unknown> } }>(
      await app.fetch("/health/ready"),
    );
    assertEquals(ready.checks.worker.ok, true);
    assertEquals(ready.checks.worker.status, "running");
    assertEquals([ready.checks.worker.active, ready.checks.worker.concurrency], [0, 0]);
    assert(typeof ready.checks.worker.instance === "string");

    const metrics = parsePrometheusText(await (await app.fetch("/metrics")).text());
    assertEquals(sampleValue(metrics, "intake_queue_depth"), 1);
  },
);
