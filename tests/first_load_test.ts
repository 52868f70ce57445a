/**
 * The first load (`store/postgres/first_load.ts`): a direct import into an empty table writes straight
 * into it, and gives up for the usual path, with the same result, on any row it cannot take.
 */
import { recordSpans } from "./recorded_spans.ts";
import { sql } from "kysely";
import { assert, assertEquals } from "./assert.ts";
import { describeMigratedDatabases, type TestDatabase } from "./db_harness.ts";
import { pollUntil } from "./poll.ts";
import { seedFacilities } from "./seed_facilities.ts";
import { type IngestRequest, startIngest } from "../core/pipeline.ts";
import { revertRun } from "../core/runs/revert.ts";
import type { Run } from "../core/runs/run.ts";
import { PostgresStore } from "../store/postgres/postgres_store.ts";
import { generateEmissionsCsv } from "../bench/gen_emissions.ts";
import { loadUploadTypes } from "../host/deno/load_upload_types.ts";
import { runCounts } from "./run_counts.ts";
import { streamSource } from "../core/upload_source.ts";

const types = await loadUploadTypes(new URL("../config/upload_types/", import.meta.url));
const emissions = types.get("emissions");

const exporter = recordSpans();

const ROWS = 40;

const CLEAN = (await new Response(generateEmissionsCsv(ROWS)).text()).trimEnd().split("\n");

/** `ROWS` generated emissions rows (their facilities seeded), with `lines` replacing some. */
function emissionsCsv(lines: Record<number, string> = {}): string {
  return CLEAN.map((line, i) => i === 0 ? line : lines[i - 1] ?? line).join("\n") + "\n";
}

/** Imports `text` directly in batches of 8 rows; returns the run and how often it was reopened. */
async function importDirect(
  db: TestDatabase,
  text: string,
  { body = new Blob([text]).stream(), ...options }:
    & Partial<IngestRequest>
    & { body?: ReadableStream<Uint8Array> } = {},
): Promise<{ run: Run; reopened: number }> {
  let reopened = 0;
  const handle = await startIngest(new PostgresStore(db), {
    type: emissions,
    mode: "direct",
    source: streamSource(body, () => {
      reopened++;
      return Promise.resolve(new Blob([text]).stream());
    }),
    batchSize: 8,
    ...options,
  });
  return { run: await handle.done, reopened };
}

async function targetRows(db: TestDatabase): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from emissions`
    .execute(db.kysely);
  return rows[0].n;
}

async function stagingTables(db: TestDatabase): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_tables where tablename like 'ingest_stage%'
  `.execute(db.kysely);
  return rows[0].n;
}

function firstLoadSpans(runId: string) {
  return exporter.getFinishedSpans().filter((s) =>
    s.attributes["ingest.run_id"] === runId && s.attributes["ingest.first_load"] !== undefined
  );
}

describeMigratedDatabases(
  "a direct import into an empty table is a first load: straight in, one transaction, revertable",
  async (db) => {
    await seedFacilities(db, ROWS);
    exporter.reset();
    const { run, reopened } = await importDirect(db, emissionsCsv());
    assertEquals(run.status, "committed", JSON.stringify(run.error));
    assertEquals(run.counts, runCounts({ rows: ROWS, new: ROWS }));
    assertEquals(reopened, 0);
    assertEquals(await targetRows(db), ROWS);
    assertEquals(await stagingTables(db), 0);
    const spans = firstLoadSpans(run.id).map((s) => [s.name, s.attributes["ingest.first_load"]]);
    assertEquals(spans.sort(), [["ingest.commit", true], ["ingest.stage", true]]);

    const reverted = await revertRun(new PostgresStore(db), emissions, run.id, "tester");
    assertEquals(reverted.status, "reverted");
    assertEquals(await targetRows(db), 0);
  },
  { only: ["postgres"] },
);

describeMigratedDatabases(
  "a first load that meets a row it cannot take ends as the usual import would",
  async (db) => {
    await seedFacilities(db, ROWS);
    const duplicate = CLEAN[4];
    const cases: Array<[string, Record<number, string>, string]> = [
      ["invalid_row", { 20: "ABC-000001,1800,CO2,1,t,," }, "min"],
      ["database_refused_row", { 30: duplicate }, "duplicate_key"],
      ["unknown_reference", { 35: "ZZZ-999999,2020,CO2,1,t,," }, "unknown_reference"],
    ];
    for (const [reason, lines, code] of cases) {
      exporter.reset();
      const { run, reopened } = await importDirect(db, emissionsCsv(lines));
      assertEquals(run.status, "failed", reason);
      assertEquals(run.error?.type, "validation_error", reason);
      assertEquals([run.counts.rows, run.counts.invalid], [ROWS, 1], reason);
      assertEquals(reopened, 1, reason);
      assertEquals(await targetRows(db), 0, reason);
      // The failed run's report names the row, as the usual path reports it.
      const invalid = [];
      for await (const row of new PostgresStore(db).invalidRows(run.id)) invalid.push(row);
      assertEquals(invalid.map((r) => r.row), [Number(Object.keys(lines)[0]) + 2], reason);
      assert(invalid[0].errors.some((e) => e.code === code), JSON.stringify(invalid[0].errors));
      const gaveUp = firstLoadSpans(run.id).filter((s) =>
        s.attributes["ingest.first_load"] === "gave_up"
      );
      assert(gaveUp.length > 0, `no span says the first load gave up (${reason})`);
      assert(gaveUp.every((s) => s.attributes["ingest.first_load_reason"] === reason), reason);
    }
    // Given up, it left no lock behind: the next clean file is a first load again.
    const { run, reopened } = await importDirect(db, emissionsCsv());
    assertEquals([run.status, run.counts.new, reopened], ["committed", ROWS, 0]);
  },
  { only: ["postgres"] },
);

describeMigratedDatabases(
  "a direct import into a table that has rows, or without a way to read the file again, is no first load",
  async (db) => {
    await seedFacilities(db, ROWS);
    exporter.reset();
    const plain = await (await startIngest(new PostgresStore(db), {
      type: emissions,
      mode: "direct",
      source: streamSource(new Blob([emissionsCsv()]).stream()),
    })).done;
    assertEquals([plain.status, plain.counts.new], ["committed", ROWS]);
    assertEquals(firstLoadSpans(plain.id), []);

    const again = await importDirect(db, emissionsCsv());
    assertEquals([again.run.status, again.run.counts.unchanged, again.reopened], [
      "committed",
      ROWS,
      0,
    ]);
    assertEquals(firstLoadSpans(again.run.id), []);
  },
);

describeMigratedDatabases(
  "a first load holds the table's commit lock: a second one does not start, and a failed one rolls back",
  async (db) => {
    await seedFacilities(db, ROWS);
    const store = new PostgresStore(db);
    const held = await store.openFirstLoad(emissions, ["facility_id", "year", "pollutant"]);
    assert(held, "the first load did not open");
    assertEquals(await store.openFirstLoad(emissions, ["facility_id"]), null);
    // Another direct import meanwhile takes the usual path, whose commit waits for the lock.
    const waiting = importDirect(db, emissionsCsv());
    // It must be waiting on the lock before the first load lets go, or it could take a first load.
    await pollUntil("the second import to wait for the table's commit lock", async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`
        .execute(db.kysely);
      return rows[0].n > 0 || undefined;
    });
    assertEquals(await targetRows(db), 0);
    await held.abandon();
    const { run, reopened } = await waiting;
    assertEquals([run.status, run.counts.new, reopened], ["committed", ROWS, 0]);
    assertEquals(firstLoadSpans(run.id), []);
    await sql`truncate emissions`.execute(db.kysely);

    // The body breaks after a few batches: the run fails and the table stays empty.
    const text = emissionsCsv();
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text.slice(0, text.length / 2)));
        controller.error(new Error("connection reset"));
      },
    });
    const failed = await importDirect(db, text, { body: broken });
    assertEquals(failed.run.status, "failed");
    assertEquals(await targetRows(db), 0);
    const after = await importDirect(db, text);
    assertEquals([after.run.status, after.reopened, after.run.counts.new], ["committed", 0, ROWS]);
    assertEquals(firstLoadSpans(after.run.id).length, 2);
  },
  { only: ["postgres"] },
);
