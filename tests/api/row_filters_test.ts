import { assert, assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";
import { FACILITIES, FILTERED } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function staged(app: TestApp): Promise<string> {
  await app.upload("facilities", FACILITIES);
  const run = await app.json<Json>(await app.upload("facilities", FILTERED, { mode: "staged" }));
  assertEquals(run.status, "staged", JSON.stringify(run));
  return run.id;
}

async function rows(app: TestApp, runId: string, query: string): Promise<Json> {
  const res = await app.fetch(`/api/v1/runs/${runId}/rows?${query}`);
  const body = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(body));
  return body;
}

function numbers(body: Json): number[] {
  return body.rows.map((r: Json) => r.rowNumber);
}

/** Every row of `query`, read page by page with `limit`. */
async function allPages(app: TestApp, runId: string, query: string, limit: number) {
  const seen: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const body: Json = await rows(
      app,
      runId,
      `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    assert(body.rows.length <= limit);
    seen.push(...numbers(body));
    cursor = body.nextCursor;
    if (cursor === null) return seen;
  }
  throw new Error(`paging ${query} did not end`);
}

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

appTest("rows filter by action, column, code, text and start row", async (app) => {
  const runId = await staged(app);
  const cases: [string, number[]][] = [
    ["", range(2, 27)],
    ["action=changed", [3, 4]],
    // A change in the column (row 4's county) or an error in it (rows 25, 27).
    ["column=county", [4]],
    ["column=name", [3]],
    ["column=facility_id", [25, 27]],
    ["code=type", [25, 26]],
    ["code=pattern", [25, 27]],
    // With both, one error must have both: row 25's type error is not in facility_id.
    ["column=opened_on&code=type", [25, 26]],
    ["column=facility_id&code=type", []],
    ["q=KENT", [2, 4, ...range(5, 23, 2), 26, 27]],
    ["q=plant%20ii", [3]],
    ["q=2023-13", [26]],
    // Text, not a pattern: no cell holds a % or an _.
    ["q=%25", []],
    ["q=_", []],
    ["q=depot%20_", []],
    ["fromRow=20", range(20, 27)],
    ["action=new&q=surrey&fromRow=10", range(10, 24, 2)],
    ["column=county&action=new", []],
    ["q=kent&code=type", [26]],
  ];
  for (const [query, expected] of cases) {
    assertEquals(numbers(await rows(app, runId, query)), expected, query);
  }
});

appTest("rows sort by a column's value either way, rows without one last", async (app) => {
  const runId = await staged(app);
  const byName = numbers(await rows(app, runId, "sort=name"));
  // Depot G (row 24) … Depot Z (row 5), East Works, North Plant, South Plant II, then the
  // invalid rows in row order.
  assertEquals(byName, [...range(5, 24).reverse(), 4, 2, 3, 25, 26, 27]);
  const byLatitude = await rows(app, runId, "sort=-latitude&action=new");
  const latitudes = byLatitude.rows.map((r: Json) => Number(r.values.latitude));
  assertEquals(latitudes, [...latitudes].sort((a, b) => b - a));
  // Equal values keep row order: row 2 and row 20 both have 51.5.
  const tied = numbers(await rows(app, runId, "sort=-latitude&q=51.5"));
  assertEquals(tied, [2, 20]);
});

appTest("filtered and sorted rows page with the cursor", async (app) => {
  const runId = await staged(app);
  for (
    const query of [
      "action=new",
      "q=kent",
      "sort=-latitude",
      "sort=name&q=kent",
      "sort=latitude&fromRow=10",
      "code=type&sort=opened_on",
    ]
  ) {
    const whole = numbers(await rows(app, runId, `${query}&limit=1000`));
    assertEquals(await allPages(app, runId, query, 3), whole, query);
    assertEquals(await allPages(app, runId, query, 1), whole, query);
  }
});

appTest("the error summary counts the invalid rows' errors, largest first", async (app) => {
  const runId = await staged(app);
  const res = await app.fetch(`/api/v1/runs/${runId}/error-summary`);
  assertEquals(res.status, 200);
  const { errors } = await app.json<{ errors: Json[] }>(res);
  assertEquals(errors[0], {
    column: "facility_id",
    code: "pattern",
    message: "Must match the pattern ^[A-Z]{3}-[0-9]{6}$",
    count: 2,
    example: { row: 25, value: "bad-id" },
  });
  const counts = errors.map((e) => e.count);
  assertEquals(counts, [...counts].sort((a, b) => b - a));
  const invalid = await rows(app, runId, "action=invalid");
  const total = invalid.rows.reduce((n: number, r: Json) => n + r.errors.length, 0);
  assertEquals(counts.reduce((a, b) => a + b, 0), total);
  assertEquals(total, 6);
  // Each line's column and code filter the rows it counts (one such error per row here).
  for (const line of errors) {
    const picked = await rows(app, runId, `column=${line.column}&code=${line.code}`);
    assertEquals(picked.rows.length, line.count, JSON.stringify(line));
  }
  const unknown = await app.fetch(
    "/api/v1/runs/00000000-0000-0000-0000-000000000000/error-summary",
  );
  assertEquals(unknown.status, 404);
  await unknown.body?.cancel();
});

appTest("bad row filters are typed 400s", async (app) => {
  const runId = await staged(app);
  for (
    const query of [
      "column=nope",
      "sort=nope",
      "sort=-",
      "fromRow=0",
      "fromRow=abc",
      "action=sideways",
      "q=a&q=b",
      `q=${"x".repeat(201)}`,
      "sort=name&cursor=12",
      "sort=name&cursor=knotjson",
      "cursor=kWyI1MS41IiwyXQ",
      "cursor=%3Bdrop",
    ]
  ) {
    const res = await app.fetch(`/api/v1/runs/${runId}/rows?${query}`);
    const body = await app.json<Json>(res);
    assertEquals(res.status, 400, `${query}: ${JSON.stringify(body)}`);
    assertEquals(body.error.type, "bad_request", query);
  }
});

function post(app: TestApp, runId: string, what: string, body: unknown) {
  return app.fetch(`/api/v1/runs/${runId}/${what}`, { method: "POST", body: JSON.stringify(body) });
}

appTest("exclusions take a filter in place of row numbers", async (app) => {
  const runId = await staged(app);
  let res = await post(app, runId, "exclusions", { filter: { action: "new", q: "surrey" } });
  let body = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(body));
  assertEquals(body, { affected: 10, excluded: { new: 10, changed: 0, deleted: 0 } });
  // Unchanged and invalid rows are never excluded; rows already excluded do not count again.
  res = await post(app, runId, "exclusions", { filter: { q: "kent" } });
  body = await app.json<Json>(res);
  assertEquals(body, { affected: 11, excluded: { new: 20, changed: 1, deleted: 0 } });
  res = await post(app, runId, "exclusions", { filter: { column: "county" }, excluded: false });
  assertEquals((await app.json<Json>(res)).affected, 1);
  const excluded = (await rows(app, runId, "limit=1000")).rows.filter((r: Json) => r.excluded);
  assertEquals(excluded.length, 20);
  for (
    const bad of [
      { filter: { column: "nope" } },
      { filter: { action: "sideways" } },
      { filter: { q: "" } },
      { filter: { extra: 1 } },
      { filter: {}, rows: [3] },
    ]
  ) {
    res = await post(app, runId, "exclusions", bad);
    body = await app.json<Json>(res);
    assertEquals(res.status, 400, JSON.stringify(bad));
    assertEquals(body.error.type, "bad_request");
  }
});

appTest("fixes take a filter in place of row numbers", async (app) => {
  const runId = await staged(app);
  let res = await post(app, runId, "fixes", {
    op: "set",
    column: "opened_on",
    value: "2023-01-01",
    filter: { column: "opened_on", code: "type" },
  });
  let body = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(body));
  assertEquals(body.updated, 2);
  // Row 26 had only the date wrong and is valid now; row 25 keeps its other errors.
  assertEquals(numbers(await rows(app, runId, "action=invalid")), [25, 27]);
  assertEquals(numbers(await rows(app, runId, "code=type")), [25]);
  // A filter that picks only valid rows fixes nothing.
  res = await post(app, runId, "fixes", { op: "trim", filter: { action: "new" } });
  assertEquals((await app.json<Json>(res)).updated, 0);
  for (
    const bad of [
      { op: "trim", filter: { column: "nope" } },
      { op: "trim", filter: { code: 3 } },
      { op: "trim", rows: [25], filter: { q: "x" } },
    ]
  ) {
    res = await post(app, runId, "fixes", bad);
    body = await app.json<Json>(res);
    assertEquals(res.status, 400, JSON.stringify(bad));
    assertEquals(body.error.type, "bad_request");
  }
});
