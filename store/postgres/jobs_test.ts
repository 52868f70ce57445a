import { sql } from "kysely";
import type { Database } from "../../db/database.ts";
import { PostgresStore } from "./postgres_store.ts";
import { openPostgresDatabase } from "../../db/postgres_database.ts";
import { assert, assertEquals } from "../../tests/assert.ts";
import { describeMigratedDatabases } from "../../tests/db_harness.ts";
import { JobQueue } from "./jobs.ts";

const INPUT = { bytes: 3, sha256: "ab".repeat(32) };

/** Creates `n` queued runs with jobs ready to claim, oldest first; returns their ids. */
async function queueRuns(db: Database, n: number): Promise<string[]> {
  const store = new PostgresStore(db);
  const queue = new JobQueue(db);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const run = await store.createRun({
      id: crypto.randomUUID(),
      uploadType: "facilities",
      mode: "direct",
      fileName: `f${i}.csv`,
      contentType: "text/csv",
      actor: null,
      traceId: null,
      status: "queued",
    });
    await queue.add(run.id, { request: { format: "csv" }, traceparent: null }, "uploader", 60_000);
    assert(await queue.markQueued(run.id, "uploader", INPUT));
    ids.push(run.id);
  }
  return ids;
}

async function jobRows(db: Database) {
  const { rows } = await sql<
    { run_id: string; state: string; attempts: number; locked_by: string }
  >`
    select run_id, state, attempts, locked_by from ingest_jobs order by queued_at, run_id`
    .execute(db.kysely);
  return rows;
}

describeMigratedDatabases(
  "JobQueue claim() takes the oldest queued jobs and counts attempts",
  async (db) => {
    const ids = await queueRuns(db, 3);
    const queue = new JobQueue(db);
    assertEquals(await queue.depth(), 3);
    const first = await queue.claim("a", 2, 60_000);
    assertEquals(first.map((j) => j.runId), ids.slice(0, 2));
    for (const job of first) {
      assertEquals([job.state, job.attempts, job.lockedBy], ["running", 1, "a"]);
      assertEquals(job.input, INPUT);
      assertEquals(job.request, { format: "csv" });
      assert(
        job.leaseUntil && job.leaseUntil.getTime() > Date.now() + 30_000,
        "lease a minute out",
      );
    }
    assertEquals(await queue.depth(), 1);
    assertEquals((await queue.claim("b", 5, 60_000)).map((j) => j.runId), [ids[2]]);
    assertEquals(await queue.claim("b", 5, 60_000), [], "nothing left");
    assertEquals(await queue.depth(), 0);
  },
);

describeMigratedDatabases(
  "JobQueue: only the holder renews, finishes or requeues a job",
  async (db) => {
    const [id] = await queueRuns(db, 1);
    const queue = new JobQueue(db);
    await queue.claim("a", 1, 60_000);
    assertEquals(await queue.renew([id], "b", 60_000), []);
    assertEquals(await queue.renew([id], "a", 60_000), [id]);
    assertEquals(await queue.finish(id, "b"), false);
    assertEquals(await queue.requeue(id, "b"), false);
    assertEquals(await queue.requeue(id, "a"), true);
    assertEquals((await queue.get(id))?.state, "queued");
    assertEquals((await queue.claim("b", 1, 60_000))[0].attempts, 2, "a second claim");
    assertEquals(await queue.finish(id, "b"), true);
    const done = await queue.get(id);
    assertEquals([done?.state, done?.lockedBy, done?.leaseUntil], ["done", "b", null]);
    assertEquals(await queue.renew([id], "b", 60_000), [], "a done job has no lease");
  },
);

describeMigratedDatabases(
  "JobQueue claimExpired() takes over a job only once its lease ran out",
  async (db) => {
    const [id] = await queueRuns(db, 1);
    const queue = new JobQueue(db);
    await queue.claim("dead", 1, 60_000);
    assertEquals(await queue.claimExpired("sweeper", 60_000), null, "lease still running");
    await queue.expire(id, "dead");
    const taken = await queue.claimExpired("sweeper", 60_000);
    assertEquals([taken?.runId, taken?.previousHolder, taken?.lockedBy], [id, "dead", "sweeper"]);
    assertEquals(taken?.attempts, 1, "taking over is not a claim");
    assertEquals(await queue.claimExpired("other", 60_000), null, "the sweeper holds it now");
    assertEquals(await queue.renew([id], "dead", 60_000), [], "the old holder lost it");
  },
);

describeMigratedDatabases(
  "JobQueue claimExpired({orphans}) takes every job another instance holds",
  async (db) => {
    const ids = await queueRuns(db, 2);
    const queue = new JobQueue(db);
    await queue.claim("before-restart", 1, 60_000);
    const taken = await queue.claimExpired("only", 60_000, { orphans: true });
    assertEquals(taken?.runId, ids[0]);
    assertEquals(await queue.claimExpired("only", 60_000, { orphans: true }), null);
  },
);

describeMigratedDatabases(
  "JobQueue abandonedRuns() finds active runs without a job whose heartbeat stopped",
  async (db) => {
    const store = new PostgresStore(db);
    const make = async () =>
      (await store.createRun({
        id: crypto.randomUUID(),
        uploadType: "facilities",
        mode: "direct",
        fileName: null,
        contentType: null,
        actor: null,
        traceId: null,
      })).id;
    const [stale, fresh, withJob] = [await make(), await make(), await make()];
    const [queued] = await queueRuns(db, 1);
    await sql`update ingest_runs set updated_at = now() - interval '1 hour'
    where id in (${stale}, ${withJob}, ${queued})`.execute(db.kysely);
    await new JobQueue(db).add(withJob, { request: {}, traceparent: null }, "x", 60_000);
    const found = await new JobQueue(db).abandonedRuns(60_000);
    assertEquals(found, [{ id: stale, status: "receiving" }]);
    await store.touchRun(stale);
    assertEquals(await new JobQueue(db).abandonedRuns(60_000), [], "a heartbeat keeps it alive");
    assert(fresh);
  },
);

describeMigratedDatabases(
  "JobQueue: two instances racing over 20 jobs claim each exactly once",
  async (db) => {
    const ids = await queueRuns(db, 20);
    // A second connection pool where there can be one (PostgreSQL); PGlite has one connection.
    const other = db.url ? await openPostgresDatabase({ url: db.url, poolSize: 4 }) : db;
    try {
      const claimed: Record<string, string[]> = { a: [], b: [] };
      const race = async (name: "a" | "b", database: Database) => {
        const queue = new JobQueue(database);
        while (true) {
          // Several claimers per instance, as concurrent slots would be.
          const batches = await Promise.all([1, 2, 1].map((n) => queue.claim(name, n, 60_000)));
          const jobs = batches.flat();
          if (jobs.length === 0 && (await queue.depth()) === 0) return;
          claimed[name].push(...jobs.map((j) => j.runId));
        }
      };
      await Promise.all([race("a", db), race("b", other)]);
      const all = [...claimed.a, ...claimed.b];
      assertEquals(all.length, 20, `claims: ${JSON.stringify(claimed)}`);
      assertEquals(new Set(all).size, 20, "no job claimed twice");
      assertEquals(new Set(all), new Set(ids));
      const rows = await jobRows(db);
      assert(rows.every((r) => r.attempts === 1 && r.state === "running"), JSON.stringify(rows));
      for (const r of rows) {
        assert(claimed[r.locked_by as "a" | "b"].includes(r.run_id), "locked_by is the claimer");
      }
      if (db.url) assert(claimed.a.length > 0 && claimed.b.length > 0, "both instances got jobs");
    } finally {
      if (other !== db) await other.close();
    }
  },
);
