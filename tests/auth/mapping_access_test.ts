/**
 * Saved column mappings with authentication on (issue 25): one uploader's mapping never changes
 * anyone else's import. A mapping is saved only from a committed run, shared only when an admin
 * commits it (else kept for its uploader), never overrides a header that matches by name, and is
 * never applied unasked: an upload it would change stops with `mapping_required` until the
 * mapping is sent back.
 */
import { sql } from "kysely";
import { appTest, type TestApp } from "../app_harness.ts";
import { assertEquals } from "../assert.ts";
import { AUTH_ENV, bearer, signIn, TOKENS } from "./fixtures.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** Twenty facilities whose latitude and longitude differ and fit either column's range. */
const SITES = [
  "facility_id,name,latitude,longitude",
  ...Array.from({ length: 20 }, (_, i) => {
    const n = String(i + 1).padStart(6, "0");
    return `ABC-${n},Site ${i + 1},${50 + i / 10},${-2 + i / 10}`;
  }),
].join("\n") + "\n";

const SWAP = { latitude: "longitude", longitude: "latitude" };

/** Own headers that match no column by name. */
const OWN = "Site,Site name\nABC-000001,North Plant\n";
const OWN_MAPPING = { "Site": "facility_id", "Site name": "name" };

function upload(
  app: TestApp,
  token: string,
  csv: string,
  mode: "direct" | "staged",
  mapping?: Record<string, string | null>,
): Promise<Response> {
  const form = new FormData();
  if (mapping) form.set("mapping", JSON.stringify(mapping));
  form.set("file", new File([csv], "sites.csv", { type: "text/csv" }));
  return app.fetch(`/api/v1/uploads/facilities?mode=${mode}`, {
    method: "POST",
    body: form,
    headers: bearer(token),
  });
}

async function coordinates(app: TestApp, id: string): Promise<[number, number]> {
  const { rows } = await sql<{ latitude: string; longitude: string }>`
    select latitude, longitude from facilities where facility_id = ${id}`.execute(app.db.kysely);
  return [Number(rows[0].latitude), Number(rows[0].longitude)];
}

async function post(app: TestApp, token: string, path: string): Promise<Json> {
  const res = await app.fetch(path, { method: "POST", headers: bearer(token) });
  const body = await app.json<Json>(res);
  assertEquals(res.status, 200, JSON.stringify(body));
  return body;
}

appTest("an uploader's swapped mapping does not change an admin's later import", async (app) => {
  const first = await app.json<Json>(await upload(app, TOKENS.ops, SITES, "direct"));
  assertEquals([first.status, first.counts.new], ["committed", 20], JSON.stringify(first));

  // The attack: an uploader stages the same file with latitude and longitude swapped…
  const staged = await app.json<Json>(await upload(app, TOKENS.ci, SITES, "staged", SWAP));
  assertEquals([staged.status, staged.counts.changed], ["staged", 20], JSON.stringify(staged));
  assertEquals(
    staged.mapping.columns.map((c: Json) => [c.header, c.column, c.source]),
    [
      ["facility_id", "facility_id", "exact"],
      ["name", "name", "exact"],
      ["latitude", "longitude", "explicit"],
      ["longitude", "latitude", "explicit"],
    ],
  );
  // …and a reviewer discards it.
  await post(app, TOKENS.checker, `/api/v1/runs/${staged.id}/discard`);

  // The admin imports the unchanged file directly: exact names win, nothing changes.
  const res = await upload(app, TOKENS.ops, SITES, "direct");
  const again = await app.json<Json>(res);
  assertEquals(res.status, 201, JSON.stringify(again));
  assertEquals([again.status, again.counts.changed], ["committed", 0]);
  assertEquals(again.mapping.saved, null);
  assertEquals(again.mapping.columns.map((c: Json) => c.source), [
    "exact",
    "exact",
    "exact",
    "exact",
  ]);
  assertEquals(await coordinates(app, "ABC-000001"), [50, -2]);
  const saved = await sql<{ n: number }>`select count(*)::int as n from ingest_mappings`
    .execute(app.db.kysely);
  assertEquals(saved.rows[0].n, 0, "nothing saved from a discarded run");
}, AUTH_ENV);

appTest("a mapping that overrides exact names is never saved, even by an admin", async (app) => {
  const swapped = await app.json<Json>(await upload(app, TOKENS.ops, SITES, "direct", SWAP));
  assertEquals(swapped.status, "committed", JSON.stringify(swapped));
  assertEquals(await coordinates(app, "ABC-000001"), [-2, 50], "the sender's own run is swapped");

  // The next upload of the file, by anyone, maps by name again.
  for (const [token, changed] of [[TOKENS.ci, 20], [TOKENS.ops, 0]] as const) {
    const res = await upload(app, token, SITES, "direct");
    const run = await app.json<Json>(res);
    assertEquals([res.status, run.counts.changed], [201, changed], JSON.stringify(run));
    assertEquals(run.mapping.columns[2], {
      header: "latitude",
      column: "latitude",
      source: "exact",
    });
  }
  assertEquals(await coordinates(app, "ABC-000001"), [50, -2]);
}, AUTH_ENV);

appTest(
  "an uploader's committed mapping is theirs alone; an admin's is shared; both need confirming",
  async (app) => {
    const lookup = async (token: string) => {
      const headers = encodeURIComponent(JSON.stringify(["Site", "Site name"]));
      const res = await app.fetch(`/api/v1/upload-types/facilities/mapping?headers=${headers}`, {
        headers: bearer(token),
      });
      return await app.json<Json>(res);
    };
    // An uploader's staged run, committed by a reviewer: saved for the uploader alone.
    const staged = await app.json<Json>(await upload(app, TOKENS.ci, OWN, "staged", OWN_MAPPING));
    assertEquals(staged.status, "staged", JSON.stringify(staged));
    await post(app, TOKENS.checker, `/api/v1/runs/${staged.id}/commit`);
    assertEquals((await lookup(TOKENS.ci)).savedMapping.shared, false);
    assertEquals(await lookup(TOKENS.nightly), { mapping: null, savedMapping: null });
    assertEquals(await lookup(TOKENS.ops), { mapping: null, savedMapping: null });

    // Others' uploads are not touched by it; its owner is asked to confirm it.
    const other = await app.json<Json>(await upload(app, TOKENS.nightly, OWN, "direct"));
    assertEquals(other.error.type, "header_error");
    const admin = await app.json<Json>(await upload(app, TOKENS.ops, OWN, "direct"));
    assertEquals(admin.error.type, "header_error");
    const asked = await upload(app, TOKENS.ci, OWN, "direct");
    const error = (await app.json<Json>(asked)).error;
    assertEquals([asked.status, error.type], [422, "mapping_required"]);
    assertEquals(error.details.mapping, OWN_MAPPING);
    assertEquals(
      [error.details.savedMapping.shared, error.details.savedMapping.savedBy],
      [false, "checker"],
    );
    const confirmed = await app.json<Json>(
      await upload(app, TOKENS.ci, OWN, "direct", error.details.mapping),
    );
    assertEquals(confirmed.status, "committed", JSON.stringify(confirmed));
    assertEquals(confirmed.mapping.saved, {
      id: error.details.savedMapping.id,
      shared: false,
      savedBy: "checker",
    });

    // An admin's committed mapping is shared: the other uploader is now asked to confirm it.
    const shared = await app.json<Json>(
      await upload(app, TOKENS.ops, OWN, "direct", OWN_MAPPING),
    );
    assertEquals(shared.status, "committed", JSON.stringify(shared));
    const found = await lookup(TOKENS.nightly);
    assertEquals([found.mapping, found.savedMapping.shared], [OWN_MAPPING, true]);
    // The uploader's own mapping still comes first for them.
    assertEquals((await lookup(TOKENS.ci)).savedMapping.shared, false);
    const run = await app.json<Json>(await upload(app, TOKENS.nightly, OWN, "direct"));
    assertEquals(run.error.type, "mapping_required");

    // The run page shows the mapping a run used.
    const cookie = await signIn(app, "ada");
    const page = await app.fetch(`/runs/${confirmed.id}`, { headers: { cookie } });
    const html = await page.text();
    assertEquals(page.status, 200);
    assertEquals(html.includes("saved mapping, confirmed"), true, "source shown");
    assertEquals(html.includes(`Saved mapping #${error.details.savedMapping.id}`), true);
  },
  AUTH_ENV,
);
