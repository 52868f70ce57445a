/**
 * Keeps examples/README.md true: each sample file goes through the real pipeline (after the
 * clean file of its type) and gives the counts and cell errors the README promises.
 */
import { commitRun } from "../core/stages/commit.ts";
import { startIngest } from "../core/pipeline.ts";
import type { RunMode } from "../core/runs/run.ts";
import { PostgresStore } from "../store/postgres/postgres_store.ts";
import { loadUploadTypes } from "../host/deno/load_upload_types.ts";
import { assertEquals } from "../tests/assert.ts";
import { describeMigratedDatabases } from "../tests/db_harness.ts";
import { streamSource } from "../core/upload_source.ts";

const types = await loadUploadTypes(new URL("../config/upload_types/", import.meta.url));

async function upload(store: PostgresStore, type: string, file: string, mode: RunMode) {
  const body = (await Deno.open(new URL(file, import.meta.url))).readable;
  const handle = await startIngest(store, {
    type: types.get(type),
    mode,
    source: streamSource(body),
    fileName: file,
  });
  return await handle.done;
}

async function invalidCodes(store: PostgresStore, runId: string): Promise<string[][]> {
  const page = await store.listRows(runId, { action: "invalid", limit: 100 });
  return page.items.map((r) => [String(r.rowNumber), ...r.errors.map((e) => e.code)]);
}

const counts = (rows: number, n: number, changed: number, unchanged: number, invalid: number) => ({
  rows,
  new: n,
  changed,
  unchanged,
  invalid,
  deleted: 0,
  excluded: 0,
});

describeMigratedDatabases("examples/ facilities files give the README's outcome", async (db) => {
  const store = new PostgresStore(db);
  const clean = await upload(store, "facilities", "facilities_clean.csv", "direct");
  assertEquals(clean.status, "committed", JSON.stringify(clean.error));
  assertEquals(clean.counts, counts(20, 20, 0, 0, 0));

  const rejected = await upload(store, "facilities", "facilities_changes.csv", "direct");
  assertEquals(rejected.error?.type, "validation_error");

  const changes = await upload(store, "facilities", "facilities_changes.csv", "staged");
  assertEquals(changes.status, "staged", JSON.stringify(changes.error));
  assertEquals(changes.counts, counts(14, 3, 3, 4, 4));
  assertEquals(await invalidCodes(store, changes.id), [
    ["12", "pattern", "max"],
    ["13", "required", "type"],
    ["14", "type", "type"],
    ["15", "duplicate_key"],
  ]);
  const committed = await commitRun(store, types.get("facilities"), changes.id, []);
  assertEquals(committed.status, "committed");
});

describeMigratedDatabases("examples/ emissions files give the README's outcome", async (db) => {
  const store = new PostgresStore(db);
  // Emissions reference facilities: their register comes first.
  const facilities = await upload(store, "facilities", "facilities_clean.csv", "direct");
  assertEquals(facilities.status, "committed", JSON.stringify(facilities.error));
  const clean = await upload(store, "emissions", "emissions_clean.csv", "direct");
  assertEquals(clean.status, "committed", JSON.stringify(clean.error));
  assertEquals(clean.counts, counts(40, 40, 0, 0, 0));

  const changes = await upload(store, "emissions", "emissions_changes.csv", "staged");
  assertEquals(changes.status, "staged", JSON.stringify(changes.error));
  assertEquals(changes.counts, counts(19, 4, 4, 5, 6));
  assertEquals(await invalidCodes(store, changes.id), [
    ["15", "min"],
    ["16", "enum"],
    ["17", "min", "enum"],
    ["18", "type", "type"],
    ["19", "ragged_row"],
    ["20", "duplicate_key"],
  ]);

  const missing = await upload(store, "emissions", "emissions_missing_column.csv", "direct");
  assertEquals(missing.status, "failed");
  assertEquals(missing.error?.type, "header_error");
  assertEquals(missing.error?.details.missing, ["amount"]);
});
