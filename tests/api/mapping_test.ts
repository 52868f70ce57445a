import { assertEquals } from "../assert.ts";
import { appTest, type TestApp } from "../app_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const OWN_HEADERS = [
  "Site,Site name,Region,Notes",
  "ABC-000001,North Plant,Kent,first",
  "ABC-000002,South Plant,Essex,",
].join("\n");
const MAPPING = { "Site": "facility_id", "Site name": "name", "Region": "county", "Notes": null };

function send(app: TestApp, csv: string, mapping?: unknown) {
  const query = mapping === undefined
    ? ""
    : `&mapping=${
      encodeURIComponent(typeof mapping === "string" ? mapping : JSON.stringify(mapping))
    }`;
  return app.upload("facilities", csv, { mode: "staged", query });
}

appTest(
  "a mapping sent with the upload maps the file; once committed it is suggested, never applied unasked",
  async (app) => {
    const refused = await send(app, OWN_HEADERS);
    assertEquals(refused.status, 422);
    assertEquals((await app.json<Json>(refused)).error.details.missing, ["facility_id", "name"]);

    const mapped = await app.json<Json>(await send(app, OWN_HEADERS, MAPPING));
    assertEquals(mapped.status, "staged", JSON.stringify(mapped));
    assertEquals(mapped.columns, ["facility_id", "name", "county"]);
    assertEquals(mapped.ignoredColumns, ["Notes"]);
    assertEquals(mapped.counts.new, 2);
    assertEquals(mapped.mapping, {
      columns: [
        { header: "Site", column: "facility_id", source: "explicit" },
        { header: "Site name", column: "name", source: "explicit" },
        { header: "Region", column: "county", source: "explicit" },
        { header: "Notes", column: null, source: "explicit" },
      ],
      saved: null,
      given: MAPPING,
    });

    // Nothing is remembered from a run that is not committed.
    const notYet = await send(app, OWN_HEADERS);
    assertEquals((await app.json<Json>(notYet)).error.type, "header_error");
    const commit = await app.fetch(`/api/v1/runs/${mapped.id}/commit`, { method: "POST" });
    assertEquals(commit.status, 200);
    await commit.body?.cancel();

    // The same headers (case and spacing aside) now get the saved mapping to confirm.
    const headers = OWN_HEADERS.replace("Site name", "SITE NAME");
    const asked = await send(app, headers);
    const error = (await app.json<Json>(asked)).error;
    assertEquals([asked.status, error.type], [422, "mapping_required"]);
    const suggested = { "Site": "facility_id", "SITE NAME": "name", "Region": "county" };
    assertEquals(error.details.mapping, suggested);
    assertEquals(error.details.savedMapping.shared, true);
    const lookup = await app.json<Json>(
      await app.fetch(
        `/api/v1/upload-types/facilities/mapping?headers=${
          encodeURIComponent(JSON.stringify(["Site", "SITE NAME", "Region", "Notes"]))
        }`,
      ),
    );
    assertEquals(lookup, { mapping: suggested, savedMapping: error.details.savedMapping });

    // Sending it back confirms it; the run records which saved mapping it used.
    const next = await app.json<Json>(await send(app, headers, error.details.mapping));
    assertEquals(next.status, "staged", JSON.stringify(next));
    assertEquals(next.columns, ["facility_id", "name", "county"]);
    assertEquals(next.mapping.saved.id, error.details.savedMapping.id);
    assertEquals(
      next.mapping.columns.map((c: Json) => c.source),
      ["saved", "saved", "saved", "none"],
    );
    const rows = (await app.json<Json>(await app.fetch(`/api/v1/runs/${next.id}/rows`))).rows;
    assertEquals(rows[0].values, {
      facility_id: "ABC-000001",
      name: "North Plant",
      county: "Kent",
    });
  },
);

appTest("a mapping can ignore a column that matches by name and use another", async (app) => {
  const csv = "facility_id,name,Better name\nABC-000001,old,New Plant\n";
  const run = await app.json<Json>(await send(app, csv, { name: null, "Better name": "name" }));
  assertEquals(run.columns, ["facility_id", "name"]);
  assertEquals(run.ignoredColumns, ["name"]);
  const rows = (await app.json<Json>(await app.fetch(`/api/v1/runs/${run.id}/rows`))).rows;
  assertEquals(rows[0].values.name, "New Plant");
});

appTest("a malformed mapping is a bad_request that says what a mapping is", async (app) => {
  for (const mapping of ["{not json", '["facility_id"]', '{"Site": 3}']) {
    const res = await send(app, OWN_HEADERS, mapping);
    const error = (await app.json<Json>(res)).error;
    assertEquals([res.status, error.type], [400, "bad_request"], mapping);
  }
  const res = await send(app, OWN_HEADERS, { Site: "facility", Region: "region" });
  const error = (await app.json<Json>(res)).error;
  assertEquals([res.status, error.type], [400, "bad_request"]);
  assertEquals(error.details.unknown, ["facility", "region"]);
});

appTest(
  "a mapping that sends two file columns to one column is refused before a run",
  async (app) => {
    const res = await send(app, OWN_HEADERS, { ...MAPPING, "Notes": "facility_id" });
    const error = (await app.json<Json>(res)).error;
    assertEquals([res.status, error.type], [400, "bad_request"]);
    assertEquals(error.details, { column: "facility_id", headers: ["Site", "Notes"] });
    assertEquals(
      error.message,
      'The mapping sends "Site" and "Notes" to the one column "facility_id": map one file column to each column',
    );
    const runs = await app.json<Json>(await app.fetch("/api/v1/runs"));
    assertEquals(runs.runs.length, 0, "no run was created");
  },
);

appTest(
  "without JavaScript the upload page asks to confirm a saved mapping, then uses it",
  async (app) => {
    const mapped = await app.json<Json>(await send(app, OWN_HEADERS, MAPPING));
    const commit = await app.fetch(`/api/v1/runs/${mapped.id}/commit`, { method: "POST" });
    assertEquals(commit.status, 200);
    await commit.body?.cancel();

    const form = (mapping?: string) => {
      const body = new FormData();
      body.set("mode", "staged");
      if (mapping) body.set("mapping", mapping);
      body.set("file", new File([OWN_HEADERS], "own.csv", { type: "text/csv" }));
      return body;
    };
    const asked = await app.fetch("/upload/facilities", { method: "POST", body: form() });
    const html = await asked.text();
    assertEquals(asked.status, 422);
    assertEquals(html.includes("A saved column mapping applies: confirm it to import"), true);
    const hidden = /<input type="hidden" name="mapping" value="([^"]*)"/.exec(html);
    const mapping = hidden?.[1].replaceAll("&quot;", '"');
    assertEquals(
      JSON.parse(mapping ?? "null"),
      { "Site": "facility_id", "Site name": "name", "Region": "county" },
    );

    const confirmed = await app.fetch("/upload/facilities", {
      method: "POST",
      body: form(mapping),
      redirect: "manual",
    });
    assertEquals(confirmed.status, 303);
    await confirmed.body?.cancel();
    const runId = confirmed.headers.get("location")!.split("/").pop();
    const run = await app.json<Json>(await app.fetch(`/api/v1/runs/${runId}`));
    assertEquals([run.status, run.mapping.saved?.id !== undefined], ["staged", true]);
  },
);
