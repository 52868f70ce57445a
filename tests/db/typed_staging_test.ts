/**
 * Typed staging through the real pipeline, on every engine: a type with every column type
 * (a datetime in its key), direct and staged imports, duplicate keys and their error report,
 * and the per-run staging tables coming and going.
 */
import { sql } from "kysely";
import { resolveUploadType } from "../../core/config/upload_type_schema.ts";
import { errorReport } from "../../core/error_report.ts";
import { commitRun } from "../../core/stages/commit.ts";
import { discardRun } from "../../core/runs/review.ts";
import { startIngest } from "../../core/pipeline.ts";
import type { RunMode } from "../../core/runs/run.ts";
import { PostgresStore } from "../../store/postgres/postgres_store.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { describeMigratedDatabases, type TestDatabase } from "../db_harness.ts";
import { runCounts } from "../run_counts.ts";
import { streamSource } from "../../core/upload_source.ts";

const readings = resolveUploadType({
  name: "readings",
  label: "Readings",
  table: "test_readings",
  key: ["site", "taken_at"],
  writeMode: "upsert",
  onInvalid: "skip",
  columns: [
    { name: "site", type: "text", required: true },
    { name: "taken_at", type: "datetime", required: true },
    { name: "level", type: "number" },
    { name: "samples", type: "integer" },
    { name: "ok", type: "boolean" },
    { name: "day", type: "date" },
    { name: "kind", type: "enum", values: ["wet", "dry"] },
    { name: "contact", type: "email" },
  ],
}, "readings (test)");

const HEADER = "site,taken_at,level,samples,ok,day,kind,contact";

async function setup(db: TestDatabase): Promise<PostgresStore> {
  await sql`
    create table test_readings (
      site text, taken_at timestamptz, level numeric, samples bigint, ok boolean, day date,
      kind text, contact text, primary key (site, taken_at))
  `.execute(db.kysely);
  return new PostgresStore(db);
}

async function ingest(
  store: PostgresStore,
  csv: string,
  mode: RunMode = "direct",
  type = readings,
) {
  const handle = await startIngest(store, {
    type,
    mode,
    source: streamSource(new Blob([csv]).stream()),
  });
  return await handle.done;
}

async function table(db: TestDatabase): Promise<string[]> {
  const { rows } = await sql<{ line: string }>`
    select concat_ws('|', site, to_char(taken_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
      coalesce(level::text, ''), coalesce(samples::text, ''), coalesce(ok::text, ''),
      coalesce(day::text, ''), coalesce(kind, ''), coalesce(contact, '')) as line
    from test_readings order by site, taken_at
  `.execute(db.kysely);
  return rows.map((r) => r.line);
}

async function stagingTables(db: TestDatabase): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_class where relkind = 'r' and relname like 'ingest\\_stage\\_%'
  `.execute(db.kysely);
  return Number(rows[0].n);
}

async function report(store: PostgresStore, runId: string): Promise<string[]> {
  const run = (await store.getRun(runId))!;
  const text = await new Response(errorReport(store, run)).text();
  return text.trim().split("\r\n");
}

const FIRST = [
  HEADER,
  "S1,2024-01-02T03:04:05Z,1.50,10,true,2024-01-02,wet,a@example.com",
  "S1,2024-01-02T04:00:00Z,2,,false,,dry,",
  "S2,2024-01-02T03:04:05.123456Z,0.000,-3,,2023-12-31,,",
].join("\n");

describeMigratedDatabases(
  "a direct import writes typed values and counts by writing",
  async (db) => {
    const store = await setup(db);
    const first = await ingest(store, FIRST);
    assertEquals(first.status, "committed", JSON.stringify(first.error));
    assertEquals(first.counts, runCounts({ rows: 3, new: 3 }));
    assertEquals(await table(db), [
      "S1|2024-01-02 03:04:05.000000|1.50|10|true|2024-01-02|wet|a@example.com",
      "S1|2024-01-02 04:00:00.000000|2||false||dry|",
      "S2|2024-01-02 03:04:05.123456|0.000|-3||2023-12-31||",
    ]);

    // The same instant written another way is the same key; 1.5 equals 1.50 as a number.
    const second = await ingest(
      store,
      [
        "site,taken_at,level,ok,samples",
        "S1,2024-01-02T04:04:05+01:00,1.5,yes,10",
        "S1,2024-01-02T04:00:00Z,2,false,11",
        "S3,2024-01-03T00:00:00Z,,,",
      ].join("\n"),
    );
    assertEquals(second.counts, runCounts({ rows: 3, new: 1, changed: 1, unchanged: 1 }));
    assertEquals(await table(db), [
      "S1|2024-01-02 03:04:05.000000|1.50|10|true|2024-01-02|wet|a@example.com",
      "S1|2024-01-02 04:00:00.000000|2|11|false||dry|",
      "S2|2024-01-02 03:04:05.123456|0.000|-3||2023-12-31||",
      "S3|2024-01-03 00:00:00.000000||||||",
    ]);
    assertEquals(await stagingTables(db), 0, "a committed run keeps no staging table");
  },
);

describeMigratedDatabases(
  "a staged review shows values as validated and typed changes",
  async (db) => {
    const store = await setup(db);
    await ingest(store, FIRST);
    const run = await ingest(
      store,
      [
        HEADER,
        "S1,2024-01-02T03:04:05Z,1.75,10,true,2024-01-02,wet,a@example.com",
        "S1,2024-01-02T04:00:00Z,2,,false,,dry,",
        "S4,2024-02-03T04:05:06.5+02:00,12.250,7,no,2024-02-03,DRY,b@example.com",
      ].join("\n"),
      "staged",
    );
    assertEquals(run.counts, runCounts({ rows: 3, new: 1, changed: 1, unchanged: 1 }));
    const rows = (await store.listRows(run.id, { limit: 10 })).items;
    assertEquals(rows.map((r) => [r.rowNumber, r.line, r.action, r.excluded]), [
      [2, 2, "changed", false],
      [3, 3, "unchanged", false],
      [4, 4, "new", false],
    ]);
    assertEquals(rows[2].values, {
      site: "S4",
      taken_at: "2024-02-03T02:05:06.500Z",
      level: "12.250",
      samples: 7,
      ok: false,
      day: "2024-02-03",
      kind: "dry",
      contact: "b@example.com",
    });
    assertEquals(rows[0].changes, [{ column: "level", old: 1.50, new: 1.75 }]);
    assertEquals(rows[1].changes, []);
    assertEquals(await stagingTables(db), 1, "a staged run keeps its staging table for review");

    const committed = await commitRun(store, readings, run.id);
    assertEquals(committed.status, "committed");
    assertEquals(committed.counts, run.counts);
    assertEquals(
      (await table(db)).filter((line) => line.startsWith("S1") || line.startsWith("S4")),
      [
        "S1|2024-01-02 03:04:05.000000|1.75|10|true|2024-01-02|wet|a@example.com",
        "S1|2024-01-02 04:00:00.000000|2||false||dry|",
        "S4|2024-02-03 02:05:06.500000|12.250|7|false|2024-02-03|dry|b@example.com",
      ],
    );
    assertEquals(await stagingTables(db), 1, "a reviewed commit keeps its rows until purged");
    assertEquals(await store.purgeCommittedRows(0), [run.id]);
    assertEquals(await stagingTables(db), 0);
  },
);

describeMigratedDatabases(
  "a commit refuses a review that the target overtook, in any compared column",
  async (db) => {
    const store = await setup(db);
    await ingest(store, FIRST);
    const run = await ingest(
      store,
      [
        HEADER,
        "S1,2024-01-02T03:04:05Z,1.75,10,true,2024-01-02,wet,a@example.com",
        "S9,2024-05-05T00:00:00Z,,,,,,",
      ]
        .join("\n"),
      "staged",
    );
    assertEquals([run.counts.changed, run.counts.new], [1, 1]);
    // Row 2 changes only `level`; `samples` moving under it still makes the review stale, and
    // so does row 3's key appearing meanwhile.
    await sql`update test_readings set samples = 11 where site = 'S1' and ok`.execute(db.kysely);
    await sql`insert into test_readings (site, taken_at) values ('S9', '2024-05-05T00:00:00Z')`
      .execute(db.kysely);
    const err = await assertRejects(() => commitRun(store, readings, run.id));
    assertEquals((err as { type?: string }).type, "stale_review");
    assertEquals((err as { details?: unknown }).details, { rows: [2, 3] });
    assertEquals((await store.getRun(run.id))!.status, "staged");
  },
);

describeMigratedDatabases(
  "duplicate keys become invalid rows whose report has the file's own cells",
  async (db) => {
    const store = await setup(db);
    // Rows 4 and 5 repeat the keys of rows 2 and 3; row 4's cells are exactly its values, so
    // staging kept no raw cells for it and the report rebuilds them.
    const canonical = [
      "site,taken_at,level,ok,day",
      "S1,2024-01-02T03:04:05.000Z,1.5,true,2024-01-02",
      "S2,2024-01-02T03:04:05.000Z, 2 ,yes,",
      "S1,2024-01-02T03:04:05.000Z,1.25,false,2024-01-03",
      "S2,2024-01-02T04:04:05+01:00,3,yes,",
    ].join("\n");
    const run = await ingest(store, canonical, "staged");
    assertEquals(run.counts, runCounts({ rows: 4, new: 2, invalid: 2 }));
    const invalid = (await store.listRows(run.id, { action: "invalid", limit: 10 })).items;
    assertEquals(invalid.map((r) => [r.rowNumber, r.errors]), [
      [4, [{
        column: "site",
        code: "duplicate_key",
        message: "Duplicate key (site, taken_at): row 2 has the same key",
        value: "S1",
        firstRow: 2,
      }]],
      [5, [{
        column: "site",
        code: "duplicate_key",
        message: "Duplicate key (site, taken_at): row 3 has the same key",
        value: "S2",
        firstRow: 3,
      }]],
    ]);
    assertEquals(invalid[0].values, {
      site: "S1",
      taken_at: "2024-01-02T03:04:05.000Z",
      level: "1.25",
      ok: false,
      day: "2024-01-03",
    });
    assertEquals(await report(store, run.id), [
      "row,errors,site,taken_at,level,ok,day",
      '4,"site: Duplicate key (site, taken_at): row 2 has the same key",' +
      "S1,2024-01-02T03:04:05.000Z,1.25,false,2024-01-03",
      '5,"site: Duplicate key (site, taken_at): row 3 has the same key",' +
      "S2,2024-01-02T04:04:05+01:00,3,yes,",
    ]);

    // An ignored column makes every row keep its cells; a direct import skips the duplicate.
    const direct = await ingest(
      store,
      ["site,note,taken_at", "S7,first,2024-01-01T00:00:00Z", "S7, second ,2024-01-01T00:00:00Z"]
        .join("\n"),
    );
    assertEquals(direct.status, "committed", JSON.stringify(direct.error));
    assertEquals(direct.counts, runCounts({ rows: 2, new: 1, invalid: 1 }));
    assertEquals((await report(store, direct.id)).slice(1), [
      '3,"site: Duplicate key (site, taken_at): row 2 has the same key",S7, second ,' +
      "2024-01-01T00:00:00Z",
    ]);
  },
);

describeMigratedDatabases(
  "a refused direct import keeps the counts of what it would have done",
  async (db) => {
    const store = await setup(db);
    await ingest(store, FIRST);
    const strict = resolveUploadType({ ...readingsInput(), onInvalid: "reject" }, "strict (test)");
    const run = await ingest(
      store,
      [HEADER, FIRST.split("\n")[1], "S1,2024-01-02T04:00:00Z,9,,false,,dry,", "S5,nope,,,,,,"]
        .join("\n"),
      "direct",
      strict,
    );
    assertEquals(run.status, "failed");
    assertEquals(run.error?.type, "validation_error");
    assertEquals(run.counts, runCounts({ rows: 3, changed: 1, unchanged: 1, invalid: 1 }));
    assertEquals((run.error?.details as { counts: unknown }).counts, run.counts);
    assertEquals((await table(db))[1], "S1|2024-01-02 04:00:00.000000|2||false||dry|");
    assertEquals(await stagingTables(db), 0, "a failed run keeps no staging table");
  },
);

describeMigratedDatabases("insert mode counts changed rows but leaves them alone", async (db) => {
  const store = await setup(db);
  await ingest(store, FIRST);
  const inserts = resolveUploadType({ ...readingsInput(), writeMode: "insert" }, "inserts (test)");
  const file = [
    "site,taken_at,level",
    "S1,2024-01-02T03:04:05Z,1.5",
    "S1,2024-01-02T04:00:00Z,7",
    "S6,2024-01-02T04:00:00Z,7",
  ].join("\n");
  const direct = await ingest(store, file, "direct", inserts);
  assertEquals(direct.counts, runCounts({ rows: 3, new: 1, changed: 1, unchanged: 1 }));
  assertEquals((await table(db))[1], "S1|2024-01-02 04:00:00.000000|2||false||dry|");
  assertEquals((await table(db))[3], "S6|2024-01-02 04:00:00.000000|7|||||");
});

describeMigratedDatabases(
  "staging tables go with their runs, and orphans are swept",
  async (db) => {
    const store = await setup(db);
    const staged = await ingest(store, FIRST, "staged");
    assertEquals(await stagingTables(db), 1);
    await discardRun(store, readings, staged.id);
    assertEquals(await stagingTables(db), 0, "discard drops the staging table");

    // A process that died mid-run leaves its table; once the run is failed the next run sweeps it.
    const orphan = await ingest(store, FIRST, "staged");
    await store.updateRun(orphan.id, ["staged"], { status: "failed", finishedAt: true });
    assertEquals(await stagingTables(db), 1);
    const next = await ingest(store, FIRST, "staged");
    assertEquals(next.status, "staged");
    assertEquals(await stagingTables(db), 1, "only the live run's table is left");
    assert((await store.listRows(next.id, { limit: 1 })).items.length === 1);
  },
);

function readingsInput() {
  return {
    name: readings.name,
    label: readings.label,
    table: readings.table,
    key: [...readings.key],
    columns: readings.columns.map((c) => ({
      name: c.name,
      type: c.type,
      required: c.required,
      ...(c.values ? { values: [...c.values] } : {}),
    })),
  };
}

describeMigratedDatabases(
  "revert restores every column type exactly, a datetime in the key included",
  async (db) => {
    const store = new PostgresStore(db);
    await setup(db);
    await ingest(store, FIRST);
    const before = await table(db);
    const changes = [
      HEADER,
      "S1,2024-01-02T03:04:05Z,1.5000,11,false,2024-01-03,dry,b@example.com",
      "S1,2024-01-02T04:00:00Z,,7,true,2020-02-29,wet,c@example.com",
      "S3,2024-06-30T23:59:59.999999+02:00,9.99,1,true,2024-06-30,wet,",
    ].join("\n");
    const run = await ingest(store, changes);
    assertEquals([run.status, run.counts.new, run.counts.changed], ["committed", 1, 2]);
    assert((await table(db)).join() !== before.join());
    const { run: reverted, counts } = await store.revert(run.id, readings, "tester");
    assertEquals([reverted.status, reverted.revertedBy], ["reverted", "tester"]);
    assertEquals(counts, { deleted: 1, restored: 2, reinserted: 0 });
    assertEquals(await table(db), before);
  },
);
