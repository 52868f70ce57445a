import { assert, assertEquals } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./api/fixtures.ts";
import { type Family, parsePrometheusText, sampleValue } from "./prometheus_text.ts";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

async function scrape(app: TestApp): Promise<Map<string, Family>> {
  const res = await app.fetch("/metrics");
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  return parsePrometheusText(await res.text());
}

async function runOf(res: Response, status: number): Promise<{ id: string; status: string }> {
  const body = await res.json();
  assertEquals(res.status, status, JSON.stringify(body));
  return body.error ? { id: body.error.details.runId, status: "failed" } : body;
}

appTest("GET /metrics counts requests by route pattern, runs, rows and stages", async (app) => {
  const before = await scrape(app);
  for (
    const name of [
      "intake_http_requests_total",
      "intake_http_request_duration_seconds",
      "intake_runs_total",
      "intake_rows_total",
      "intake_stage_duration_seconds",
      "intake_db_pool_connections",
      "intake_queue_depth",
    ]
  ) assert(before.has(name), `${name} is missing`);
  assertEquals(before.get("intake_runs_total")!.samples, []);
  const delta = (after: Map<string, Family>, name: string, labels: Record<string, string>) =>
    (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);

  // Direct (committed), staged then committed, direct with invalid rows (failed), staged then
  // discarded: every final status once or twice.
  await runOf(await app.upload("facilities", FACILITIES), 201);
  const staged = await runOf(
    await app.upload("facilities", FACILITIES_CHANGES, { mode: "staged" }),
    201,
  );
  await runOf(await app.fetch(`/api/v1/runs/${staged.id}/commit`, { method: "POST" }), 200);
  const failed = await runOf(await app.upload("facilities", FACILITIES_CHANGES), 422);
  const again = await runOf(
    await app.upload("facilities", FACILITIES_CHANGES, { mode: "staged" }),
    201,
  );
  await runOf(await app.fetch(`/api/v1/runs/${again.id}/discard`, { method: "POST" }), 200);
  for (const id of [staged.id, failed.id]) {
    await (await app.fetch(`/api/v1/runs/${id}`)).body?.cancel();
  }
  await (await app.fetch("/api/v1/no-such-thing")).body?.cancel();
  await (await app.fetch("/no-such-page")).body?.cancel();

  const after = await scrape(app);
  const requests = "intake_http_requests_total";
  assertEquals(
    delta(after, requests, { route: "/api/v1/uploads/:type", method: "POST", status: "201" }),
    3,
  );
  assertEquals(
    delta(after, requests, { route: "/api/v1/uploads/:type", method: "POST", status: "422" }),
    1,
  );
  assertEquals(
    delta(after, requests, { route: "/api/v1/runs/:id/commit", method: "POST", status: "200" }),
    1,
  );
  assertEquals(
    delta(after, requests, { route: "/api/v1/runs/:id", method: "GET", status: "200" }),
    2,
  );
  assertEquals(delta(after, requests, { route: "/api/:rest*", method: "GET", status: "404" }), 1);
  assertEquals(delta(after, requests, { route: "(not_found)", method: "GET", status: "404" }), 1);
  assertEquals(delta(after, requests, { route: "/metrics", method: "GET", status: "200" }), 1);
  for (const sample of after.get(requests)!.samples) {
    assert(!UUID.test(sample.labels.route), `raw URL as route: ${sample.labels.route}`);
  }
  const duration = "intake_http_request_duration_seconds_count";
  assertEquals(delta(after, duration, { route: "/api/v1/uploads/:type", method: "POST" }), 4);

  const runs = (status: string) =>
    delta(after, "intake_runs_total", { type: "facilities", status });
  assertEquals([runs("committed"), runs("failed"), runs("discarded")], [2, 1, 1]);
  const rows = (action: string) =>
    delta(after, "intake_rows_total", { type: "facilities", action });
  // FACILITIES: 3 new. FACILITIES_CHANGES: 1 new, 1 changed, 1 unchanged, 2 invalid, and its
  // failed and discarded runs add their 2 invalid rows each.
  assertEquals(
    ["inserted", "updated", "unchanged", "deleted", "invalid"].map(rows),
    [4, 1, 1, 0, 6],
  );

  // Each upload went through every stage up to staging (the failed one was refused after).
  const stages = (stage: string) => delta(after, "intake_stage_duration_seconds_count", { stage });
  assertEquals(
    ["receive", "parse", "validate", "stage", "commit", "discard"].map(stages),
    [4, 4, 4, 4, 2, 1],
  );
  assert(sampleValue(after, "intake_stage_duration_seconds_sum", { stage: "parse" })! > 0);
  assertEquals(
    sampleValue(after, "intake_db_pool_connections", { state: "size" }),
    app.db.poolStats().size,
  );
  assertEquals(
    after.get("intake_db_pool_connections")!.samples.map((s) => s.labels.state),
    ["size", "in_use", "waiting"],
  );
  assertEquals(sampleValue(after, "intake_queue_depth"), 0);
});

appTest("intake_queue_depth reads the collector a job queue registers", async (app) => {
  let depth = 7;
  app.services.metrics.queueDepth.collect(async (gauge) =>
    gauge.set({}, await Promise.resolve(depth))
  );
  assertEquals(sampleValue(await scrape(app), "intake_queue_depth"), 7);
  depth = 0;
  assertEquals(sampleValue(await scrape(app), "intake_queue_depth"), 0);
});
