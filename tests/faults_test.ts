/**
 * Fault tests: PostgreSQL stopping under an upload or a commit, on a private cluster (never the
 * shared test server), and a client going away mid-upload. Each fault must end in a typed,
 * recorded failure with the target table untouched, and the service must recover on its own.
 *
 * @module
 */
import { sql } from "kysely";
import postgres from "postgres";
import { assertEquals } from "./assert.ts";
import { appTest, type TestApp, withApp } from "./app_harness.ts";
import { openPostgresTestDatabase } from "./db_harness.ts";
import { findPgCluster, type PgCluster, startPgCluster } from "./pg_cluster.ts";
import { pollUntil } from "./poll.ts";
import { FACILITIES } from "./api/fixtures.ts";
import { stagingTable } from "../store/postgres/stage_tables.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const HEADER = "facility_id,name,county,latitude,longitude,opened_on,active\n";
const encoder = new TextEncoder();

/** `count` facility rows from number `first` on, as CSV lines. */
function facilityRows(first: number, count: number, name = "Plant"): string {
  let text = "";
  for (let i = first; i < first + count; i++) {
    text += `ABC-${String(i).padStart(6, "0")},${name} ${i},Kent,51.5,-0.12,2001-02-03,true\n`;
  }
  return text;
}

/** A raw CSV upload whose body the test writes piece by piece, and may abort. */
function streamingUpload(app: TestApp, path: string) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
  });
  const abort = new AbortController();
  const response = app.fetch(path, {
    method: "POST",
    body,
    headers: { "content-type": "text/csv" },
    signal: abort.signal,
  });
  return {
    response,
    /** Sends more of the file; false once the server stopped reading it. */
    write(text: string): boolean {
      try {
        controller.enqueue(encoder.encode(text));
        return true;
      } catch {
        return false;
      }
    },
    end: () => {
      try {
        controller.close();
      } catch {
        // The server stopped reading already.
      }
    },
    abort: () => abort.abort(),
  };
}

async function exportText(app: TestApp): Promise<string> {
  const res = await app.fetch("/api/v1/upload-types/facilities/export.csv");
  assertEquals(res.status, 200);
  return await res.text();
}

async function stagedRowCount(app: TestApp, runId: string): Promise<number> {
  const db = app.services.database.kysely;
  const table = stagingTable(runId);
  const { rows: [{ exists }] } = await sql<{ exists: boolean }>`
    select to_regclass(${table}) is not null as exists`.execute(db);
  const { rows: [{ n }] } = await sql<{ n: number }>`
    select count(*)::int as n from ingest_rows where run_id = ${runId}`.execute(db);
  if (!exists) return Number(n);
  const { rows: [staged] } = await sql<{ n: number }>`
    select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return Number(n) + Number(staged.n);
}

/** The run currently `processing` (there is only one in these tests). */
async function processingRun(app: TestApp): Promise<string | undefined> {
  const res = await app.fetch("/api/v1/runs?status=processing");
  if (res.status !== 200) return void await res.body?.cancel();
  const { runs } = await res.json();
  return runs[0]?.id;
}

/** The status of `GET /health/ready` (readiness: the database answers). */
async function ready(app: TestApp): Promise<number> {
  const res = await app.fetch("/health/ready");
  await res.body?.cancel();
  return res.status;
}

/** Asserts the process is alive (`GET /health`) and its readiness is `status`. */
async function assertHealth(app: TestApp, status: 200 | 503): Promise<void> {
  const live = await app.fetch("/health");
  await live.body?.cancel();
  assertEquals(live.status, 200, "the process must stay alive");
  assertEquals(await ready(app), status);
}

/** Waits until the service answers again after a restart and a new upload goes through. */
async function assertRecovered(app: TestApp): Promise<void> {
  await pollUntil(
    "GET /health/ready to answer 200",
    async () => (await ready(app)) === 200 || undefined,
    { retryErrors: true },
  );
  await assertHealth(app, 200);
  const res = await app.upload("facilities", HEADER + facilityRows(900_000, 2, "After"));
  const body = await res.json();
  assertEquals(res.status, 201, JSON.stringify(body));
  assertEquals(body.status, "committed");
}

const setup = findPgCluster();

/** One test on a private cluster of its own, with the app on a fresh database there. */
function faultTest(name: string, fn: (app: TestApp, cluster: PgCluster) => Promise<void>): void {
  Deno.test({
    name: `[postgres] ${name}${typeof setup === "string" ? ` (skipped: ${setup})` : ""}`,
    ignore: typeof setup === "string",
    // The pool's sockets die with the server; postgres.js closes them on its own schedule.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      if (typeof setup === "string") return;
      await using cluster = await startPgCluster(setup);
      const db = await openPostgresTestDatabase(cluster.adminUrl);
      try {
        await withApp(db, (app) => fn(app, cluster));
      } finally {
        await db.dispose();
      }
    },
  });
}

faultTest(
  "PostgreSQL stopping while a file is staged fails the run, and it recovers",
  async (app, cluster) => {
    const seeded = await app.upload("facilities", FACILITIES);
    assertEquals(seeded.status, 201);
    await seeded.body?.cancel();
    const before = await exportText(app);

    const upload = streamingUpload(app, "/api/v1/uploads/facilities?mode=direct");
    upload.write(HEADER + facilityRows(1, 6000));
    // The first COPY batch (5,000 rows) is in: the run is well into staging.
    const runId = await pollUntil("the first staged batch", async () => {
      const id = await processingRun(app);
      return id && (await stagedRowCount(app, id)) > 0 ? id : undefined;
    }, { retryErrors: true });
    await cluster.stop();
    await assertHealth(app, 503);
    upload.write(facilityRows(6001, 6000));
    upload.end();
    const res = await upload.response;
    const body = await res.json();
    assertEquals(res.status, 503, JSON.stringify(body));
    assertEquals(body.error.type, "database_unavailable");
    assertEquals(body.error.details.runId, runId);

    await cluster.start();
    const run = await pollUntil("the run to be marked failed", async () => {
      const r = await app.fetch(`/api/v1/runs/${runId}`);
      const json = await r.json();
      return r.status === 200 && json.status === "failed" ? json : undefined;
    }, { retryErrors: true });
    assertEquals(run.error.type, "database_unavailable");
    assertEquals(await stagedRowCount(app, runId), 0);
    assertEquals(await exportText(app), before);
    await assertRecovered(app);
  },
);

faultTest(
  "PostgreSQL stopping mid-commit rolls the commit back and fails the run",
  async (app, cluster) => {
    const seeded = await app.upload("facilities", FACILITIES);
    assertEquals(seeded.status, 201);
    await seeded.body?.cancel();
    const before = await exportText(app);
    // New rows and a change to a row the test holds locked: the commit's update waits on the
    // lock in the middle of its transaction (it holds the table's commit lock already).
    const staging = await app.upload(
      "facilities",
      HEADER + facilityRows(10, 500) + "ABC-000003,East Works Renamed,,,,,\n",
      { mode: "staged" },
    );
    const run = await staging.json();
    assertEquals(staging.status, 201, JSON.stringify(run));
    assertEquals([run.counts.new, run.counts.changed], [500, 1]);

    const locker = postgres(app.db.url!, { max: 1, onnotice: () => {} });
    try {
      const held = locker.begin(async (tx) => {
        await tx`select 1 from facilities where facility_id = 'ABC-000003' for update`;
        await new Promise(() => {}); // until the server goes away
      }).catch(() => {});
      await pollUntil(
        "the test's row lock",
        async () => (await lockHolders(app)) > 0 || undefined,
        { retryErrors: true },
      );
      const commit = app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
      await pollUntil(
        "the commit to wait on the row lock",
        async () => (await commitsWaitingOnLock(app)) > 0 || undefined,
        { retryErrors: true },
      );
      await cluster.stop();
      const res = await commit;
      const body = await res.json();
      assertEquals(res.status, 503, JSON.stringify(body));
      assertEquals(body.error.type, "database_unavailable");
      await assertHealth(app, 503);
      await held;
    } finally {
      await locker.end({ timeout: 0 });
    }

    await cluster.start();
    const failed = await pollUntil("the run to be marked failed", async () => {
      const r = await app.fetch(`/api/v1/runs/${run.id}`);
      const json = await r.json();
      return r.status === 200 && json.status === "failed" ? json : undefined;
    }, { retryErrors: true });
    assertEquals(failed.error.type, "database_unavailable");
    assertEquals(await exportText(app), before);
    await pollUntil(
      "the staged rows to be dropped",
      async () => (await stagedRowCount(app, run.id)) === 0 || undefined,
      { retryErrors: true },
    );
    await assertRecovered(app);
  },
);

appTest("a client that goes away mid-upload cancels the run and leaves no rows", async (app) => {
  const before = await exportText(app);
  const upload = streamingUpload(app, "/api/v1/uploads/facilities?mode=direct");
  upload.write(HEADER + facilityRows(1, 6000));
  // Into an empty table on PostgreSQL this is a first load, whose rows go straight into the
  // target, unseen until its transaction commits: its first COPY shows in pg_stat_activity.
  const runId = await pollUntil("the first staged batch", async () => {
    const id = await processingRun(app);
    return id && ((await stagedRowCount(app, id)) > 0 || await firstLoads(app) > 0)
      ? id
      : undefined;
  }, { retryErrors: true });
  upload.abort();
  await upload.response.then((res) => res.body?.cancel(), () => {});
  const run = await pollUntil("the run to fail", async () => {
    const json = await (await app.fetch(`/api/v1/runs/${runId}`)).json();
    return json.status === "failed" ? json : undefined;
  }, { retryErrors: true });
  assertEquals(run.error.type, "cancelled", JSON.stringify(run.error));
  await pollUntil(
    "the staged rows to be dropped",
    async () => (await stagedRowCount(app, runId)) === 0 || undefined,
    { retryErrors: true },
  );
  await pollUntil(
    "the first load to roll back",
    async () => await firstLoads(app) === 0 || undefined,
    { retryErrors: true },
  );
  assertEquals(await exportText(app), before);
  await assertHealth(app, 200);
});

/** Transactions of this database (PostgreSQL) whose last statement copied into the target. */
async function firstLoads(app: TestApp): Promise<number> {
  if (app.services.database.kind !== "postgres") return 0;
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and xact_start is not null
      and query like 'COPY "facilities"%'
  `.execute(app.services.database.kysely);
  return Number(rows[0].n);
}

/** Sessions of this database holding the test's row lock open (idle in transaction). */
async function lockHolders(app: TestApp): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and state = 'idle in transaction'
      and query like '%for update%'
  `.execute(app.services.database.kysely);
  return Number(rows[0].n);
}

/** Sessions of this database whose upsert into the target waits on a row lock. */
async function commitsWaitingOnLock(app: TestApp): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'
      and (query like '%insert into "facilities"%' or query like '%update "facilities"%')
  `.execute(app.services.database.kysely);
  return Number(rows[0].n);
}
