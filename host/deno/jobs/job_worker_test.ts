import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { recordSpans } from "../../../tests/recorded_spans.ts";
import { sql } from "kysely";
import { generateEmissionsCsv } from "../../../bench/gen_emissions.ts";
import { seedFacilities } from "../../../tests/seed_facilities.ts";
import type { Database } from "../../../db/database.ts";
import type { Run } from "../../../core/runs/run.ts";
import { openPostgresDatabase } from "../../../db/postgres_database.ts";
import { FACILITIES } from "../../../tests/api/fixtures.ts";
import { assert, assertEquals, assertMatch } from "../../../tests/assert.ts";
import { describeMigratedDatabases, type TestDatabase } from "../../../tests/db_harness.ts";
import { pollUntil } from "../../../tests/poll.ts";
import { log } from "../log.ts";
import { type HostServices, openHostServices } from "../services.ts";
import { loadHostSettings } from "../settings.ts";
import { JobQueue } from "../../../store/postgres/jobs.ts";
import { type JobWorker, type JobWorkerOptions, startJobWorker } from "./job_worker.ts";

const exporter = recordSpans();

async function servicesOn(database: Database): Promise<HostServices> {
  const settings = loadHostSettings((name) => (name === "LOG_LEVEL" ? "warn" : undefined));
  log.setLevel(settings.logLevel);
  return await openHostServices(settings, { database });
}

/** Services with a started worker on `db`; stops the worker when `fn` is done. */
async function withWorker(
  db: Database,
  options: Partial<JobWorkerOptions>,
  fn: (worker: JobWorker, services: HostServices) => Promise<void>,
): Promise<void> {
  const services = await servicesOn(db);
  const worker = await startJobWorker(services, { pollMs: 50, ...options });
  try {
    await fn(worker, services);
  } finally {
    await worker.stop(0);
  }
}

function csvUpload(text: string | ReadableStream<Uint8Array>, mode: "direct" | "staged") {
  return {
    body: typeof text === "string" ? new Blob([text]).stream() : text,
    mode,
    fileName: "upload.csv",
    contentType: "text/csv",
    format: "csv" as const,
  };
}

function settledRun(services: HostServices, id: string, status: Run["status"]): Promise<Run> {
  return pollUntil(`run ${id} to be ${status}`, async () => {
    const run = await services.store.getRun(id);
    return run?.status === status ? run : undefined;
  }, { describe: () => services.store.getRun(id) });
}

async function count(db: Database, query: string): Promise<number> {
  const { rows } = await sql<{ n: unknown }>`${sql.raw(query)}`.execute(db.kysely);
  return Number(rows[0].n);
}

/** Puts a queued run into the state a worker that died mid-run leaves behind. */
async function dieMidRun(db: Database, runId: string, status: "processing" | "committing") {
  await new JobQueue(db).claim("dead-instance", 1, 60_000);
  await sql`update ingest_runs set status = ${status}, row_count = 2 where id = ${runId}`
    .execute(db.kysely);
  await sql`insert into ingest_rows (run_id, row_number, action, values)
    values (${runId}, 2, 'new', '{}'::jsonb), (${runId}, 3, 'pending', '{}'::jsonb)`
    .execute(db.kysely);
  await sql`update ingest_jobs set lease_until = now() - interval '1 second'
    where run_id = ${runId}`.execute(db.kysely);
}

describeMigratedDatabases(
  "JobWorker stages a queued upload through the pipeline, in the trace that queued it",
  async (db) => {
    await withWorker(db, {}, async (worker, services) => {
      exporter.reset();
      const request = trace.getTracer("test").startSpan("POST /api/v1/uploads/:type");
      const queued = await worker.enqueue(
        services.uploadTypes.get("facilities"),
        csvUpload(FACILITIES, "staged"),
        { maxBytes: 1e6, parent: trace.setSpan(ROOT_CONTEXT, request) },
      );
      request.end();
      assertEquals(queued.status, "queued");
      assertEquals(queued.traceId, request.spanContext().traceId);
      assertEquals(queued.startedAt, null, "not started until a worker takes it");
      const staged = await settledRun(services, queued.id, "staged");
      assertEquals(staged.counts.new, 3);
      assertEquals(staged.fileBytes, FACILITIES.length);
      assert(staged.startedAt !== null);
      const rows = await services.store.listRows(queued.id, { limit: 10 });
      assertEquals(rows.items.map((r) => r.values.facility_id), [
        "ABC-000001",
        "ABC-000002",
        "ABC-000003",
      ]);

      const job = await pollUntil("the job to be done", async () => {
        const job = await new JobQueue(db).get(queued.id);
        return job?.state === "done" ? job : undefined;
      });
      assertEquals([job.attempts, job.lockedBy], [1, worker.instanceId]);
      assertEquals(await count(db, "select count(*) as n from ingest_inputs"), 0, "input dropped");

      const run = exporter.getFinishedSpans().find((s) => s.name === "ingest.run");
      assert(run, "an ingest.run span");
      assertEquals(run.spanContext().traceId, request.spanContext().traceId);
      assertEquals(run.parentSpanContext?.spanId, request.spanContext().spanId);
      assertEquals(run.attributes["ingest.run_id"], queued.id);
    });
  },
);

describeMigratedDatabases(
  "JobWorker fails a queued run like the pipeline would (direct, invalid rows)",
  async (db) => {
    await withWorker(db, {}, async (worker, services) => {
      const bad = FACILITIES + "bad-id,Broken,,,,,\n";
      const queued = await worker.enqueue(
        services.uploadTypes.get("facilities"),
        csvUpload(bad, "direct"),
        { maxBytes: 1e6 },
      );
      const failed = await settledRun(services, queued.id, "failed");
      assertEquals(failed.error?.type, "validation_error");
      assertEquals(await count(db, "select count(*) as n from facilities"), 0);
    });
  },
);

describeMigratedDatabases(
  "JobWorker enqueue() fails the run at once when the upload is too large",
  async (db) => {
    await withWorker(db, {}, async (worker, services) => {
      const run = await worker.enqueue(
        services.uploadTypes.get("facilities"),
        csvUpload(FACILITIES, "direct"),
        { maxBytes: 10 },
      );
      assertEquals([run.status, run.error?.type], ["failed", "file_too_large"]);
      assertEquals((await new JobQueue(db).get(run.id))?.state, "done");
      assertEquals(await count(db, "select count(*) as n from ingest_inputs"), 0);
    });
  },
);

describeMigratedDatabases(
  "a job whose worker died mid-run is retried from its stored upload",
  async (db) => {
    // Queued by an instance without a worker running (started below, after "dying").
    const services = await servicesOn(db);
    const idle = await startJobWorker(services, { concurrency: 0, pollMs: 50 });
    const queued = await idle.enqueue(
      services.uploadTypes.get("facilities"),
      csvUpload(FACILITIES, "direct"),
      { maxBytes: 1e6 },
    );
    await idle.stop(0);
    await dieMidRun(db, queued.id, "processing");

    await withWorker(db, { exclusive: false }, async (_worker, services) => {
      const committed = await settledRun(services, queued.id, "committed");
      assertEquals(committed.counts.new, 3);
      assertEquals(await count(db, "select count(*) as n from facilities"), 3);
      const job = await pollUntil("the job to be done", async () => {
        const job = await new JobQueue(db).get(queued.id);
        return job?.state === "done" ? job : undefined;
      });
      assertEquals(job.attempts, 2, "the dead attempt and the retry");
    });
  },
);

describeMigratedDatabases(
  "a job whose worker died while committing fails interrupted, target untouched",
  async (db) => {
    const services = await servicesOn(db);
    const idle = await startJobWorker(services, { concurrency: 0 });
    const queued = await idle.enqueue(
      services.uploadTypes.get("facilities"),
      csvUpload(FACILITIES, "direct"),
      { maxBytes: 1e6 },
    );
    await idle.stop(0);
    await dieMidRun(db, queued.id, "committing");

    await withWorker(db, { exclusive: false }, async (_worker, services) => {
      const failed = await settledRun(services, queued.id, "failed");
      assertEquals(failed.error?.type, "interrupted");
      assertMatch(failed.error!.message, /commit was rolled back/);
      assertEquals(failed.error?.details.runId, queued.id);
      assertEquals(await count(db, "select count(*) as n from facilities"), 0);
      assertEquals((await new JobQueue(db).get(queued.id))?.state, "done");
      assertEquals(await count(db, "select count(*) as n from ingest_inputs"), 0);
    });
  },
);

describeMigratedDatabases(
  "a job interrupted on its third attempt is not retried again",
  async (db) => {
    const services = await servicesOn(db);
    const idle = await startJobWorker(services, { concurrency: 0 });
    const queued = await idle.enqueue(
      services.uploadTypes.get("facilities"),
      csvUpload(FACILITIES, "direct"),
      { maxBytes: 1e6 },
    );
    await idle.stop(0);
    await dieMidRun(db, queued.id, "processing");
    await sql`update ingest_jobs set attempts = 3`.execute(db.kysely);

    await withWorker(db, { exclusive: false }, async (_worker, services) => {
      const failed = await settledRun(services, queued.id, "failed");
      assertEquals(failed.error?.type, "interrupted");
      assertMatch(failed.error!.message, /3 times/);
      assertEquals(await count(db, "select count(*) as n from ingest_rows"), 0);
    });
  },
);

describeMigratedDatabases(
  "an upload whose receiving instance died fails interrupted",
  async (db) => {
    const services = await servicesOn(db);
    const run = await services.store.createRun({
      id: crypto.randomUUID(),
      uploadType: "facilities",
      mode: "direct",
      fileName: null,
      contentType: null,
      actor: null,
      traceId: null,
      status: "queued",
    });
    await new JobQueue(db).add(run.id, { request: {}, traceparent: null }, "dead", 1000);
    await sql`update ingest_jobs set lease_until = now() - interval '1 second'`.execute(db.kysely);
    await withWorker(db, { exclusive: false }, async (_worker, services) => {
      const failed = await settledRun(services, run.id, "failed");
      assertEquals(failed.error?.type, "interrupted");
      assertMatch(failed.error!.message, /before it was stored completely/);
    });
  },
);

describeMigratedDatabases(
  "the sweep fails runs without a job whose heartbeat stopped",
  async (db) => {
    const services = await servicesOn(db);
    const make = async () =>
      (await services.store.createRun({
        id: crypto.randomUUID(),
        uploadType: "facilities",
        mode: "direct",
        fileName: null,
        contentType: null,
        actor: null,
        traceId: null,
      })).id;
    const [stale, alive] = [await make(), await make()];
    await sql`update ingest_runs set status = 'processing', updated_at = now() - interval '1 hour'
    where id = ${stale}`.execute(db.kysely);
    await withWorker(db, { exclusive: false }, async (_worker, services) => {
      const failed = await settledRun(services, stale, "failed");
      assertEquals(failed.error?.type, "interrupted");
      assertEquals((await services.store.getRun(alive))?.status, "receiving", "heartbeat is fresh");
    });
  },
);

describeMigratedDatabases(
  "at the start of the only instance every active run is a dead process's",
  async (db) => {
    const services = await servicesOn(db);
    const run = await services.store.createRun({
      id: crypto.randomUUID(),
      uploadType: "facilities",
      mode: "direct",
      fileName: null,
      contentType: null,
      actor: null,
      traceId: null,
    });
    await withWorker(db, { exclusive: true }, async () => {
      const after = await services.store.getRun(run.id);
      assertEquals([after?.status, after?.error?.type], ["failed", "interrupted"]);
    });
  },
  { only: ["pglite"] },
);

describeMigratedDatabases(
  "stop() hands a job still running after the grace period back to the queue",
  async (db) => {
    const services = await servicesOn(db);
    await seedFacilities(db, 60_000, 7);
    const first = await startJobWorker(services, { concurrency: 1, pollMs: 50, exclusive: false });
    const queued = await first.enqueue(
      services.uploadTypes.get("emissions"),
      csvUpload(generateEmissionsCsv(60_000, 7), "direct"),
      { maxBytes: 1e9 },
    );
    await pollUntil("the run to be processing rows", async () => {
      const run = await services.store.getRun(queued.id);
      return run?.status === "processing" && run.progress.rows > 0 ? run : undefined;
    }, { everyMs: 20, describe: () => services.store.getRun(queued.id) });
    await first.stop(0);
    assertEquals(first.status().running, false);
    const job = await new JobQueue(db).get(queued.id);
    assertEquals([job?.state, job?.attempts, job?.lockedBy], ["queued", 1, null]);
    const run = await services.store.getRun(queued.id);
    assertEquals([run?.status, run?.progress.rows], ["queued", 0]);
    assertEquals(await count(db, "select count(*) as n from ingest_rows"), 0);
    assertEquals(await count(db, "select count(*) as n from emissions"), 0);
    assert(await count(db, "select count(*) as n from ingest_inputs") > 0, "input kept");

    await withWorker(db, { exclusive: false }, async (_worker, services) => {
      const committed = await settledRun(services, queued.id, "committed");
      assertEquals(committed.counts.new, 60_000);
      assertEquals(await count(db, "select count(*) as n from emissions"), 60_000);
      assertEquals((await new JobQueue(db).get(queued.id))?.attempts, 2);
    });
  },
);

describeMigratedDatabases(
  "a worker that lost its lease stops writing to the run",
  async (db) => {
    const services = await servicesOn(db);
    const worker = await startJobWorker(services, {
      concurrency: 1,
      pollMs: 50,
      leaseMs: 1500,
      exclusive: false,
    });
    // Holding the referenced table locked keeps the run in its reference check (processing)
    // until the test lets go.
    await seedFacilities(db, 20_000, 8);
    const blocker = await openPostgresDatabase({ url: db.url!, poolSize: 1 });
    let unlock!: () => void;
    const locked = new Promise<void>((resolve) => unlock = resolve);
    let holding!: () => void;
    const held = new Promise<void>((resolve) => holding = resolve);
    const lock = blocker.kysely.transaction().execute(async (trx) => {
      await sql`lock table facilities in access exclusive mode`.execute(trx);
      holding();
      await locked;
    });
    try {
      await held;
      const queued = await worker.enqueue(
        services.uploadTypes.get("emissions"),
        csvUpload(generateEmissionsCsv(20_000, 8), "direct"),
        { maxBytes: 1e9 },
      );
      // Staging does not touch the target, so the run may be waiting in its commit already.
      await pollUntil("the run to be processing rows", async () => {
        const run = await services.store.getRun(queued.id);
        const busy = run?.status === "processing" || run?.status === "committing";
        return busy && run.progress.rows > 0 ? run : undefined;
      }, { everyMs: 20, describe: () => services.store.getRun(queued.id) });
      // Another instance took the job over (as after a long pause of this one) and, as
      // recovery.ts does, requeued the run, or failed it had it reached committing. This one may
      // be staging or already waiting in its commit: either way its writes must not land.
      await sql`update ingest_jobs set locked_by = 'other', lease_until = now() + interval '1 hour'`
        .execute(db.kysely);
      const { rows: [takenOver] } = await sql<{ status: string }>`
        update ingest_runs
        set status = case status when 'committing' then 'failed' else 'queued' end
        where id = ${queued.id} returning status`.execute(db.kysely);
      await pollUntil(
        "the lease loss to be noticed",
        () => worker.status().leases === 0 || undefined,
      );
      unlock();
      await lock;
      await pollUntil("the worker to let go", () => worker.status().active === 0 || undefined);
      const run = await services.store.getRun(queued.id);
      assertEquals(run?.status, takenOver.status, "left as the new holder set it");
      assertEquals((await new JobQueue(db).get(queued.id))?.lockedBy, "other");
      assertEquals(await count(db, "select count(*) as n from emissions"), 0);
    } finally {
      unlock();
      await lock.catch(() => {});
      await blocker.close();
      await worker.stop(0);
    }
  },
  { only: ["postgres"] },
);

describeMigratedDatabases(
  "two workers on one database process 20 queued runs, each exactly once",
  async (db: TestDatabase) => {
    const a = await servicesOn(db);
    const otherDb = await openPostgresDatabase({ url: db.url!, poolSize: 4 });
    const b = await servicesOn(otherDb);
    try {
      const uploader = await startJobWorker(a, { concurrency: 0, exclusive: false });
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const csv = "facility_id,name\n" +
          Array.from({ length: 5 }, (_, k) => `RUN-${String(i * 10 + k).padStart(6, "0")},F${k}`)
            .join("\n");
        ids.push(
          (await uploader.enqueue(a.uploadTypes.get("facilities"), csvUpload(csv, "direct"), {
            maxBytes: 1e6,
          })).id,
        );
      }
      await uploader.stop(0);
      const workers = await Promise.all([
        startJobWorker(a, { concurrency: 2, pollMs: 20, exclusive: false, instanceId: "a" }),
        startJobWorker(b, { concurrency: 2, pollMs: 20, exclusive: false, instanceId: "b" }),
      ]);
      try {
        for (const id of ids) await settledRun(a, id, "committed");
      } finally {
        await Promise.all(workers.map((w) => w.stop(0)));
      }
      const { rows } = await sql<{ attempts: number; locked_by: string; state: string }>`
      select attempts, locked_by, state from ingest_jobs`.execute(db.kysely);
      assertEquals(rows.length, 20);
      assert(rows.every((r) => r.attempts === 1 && r.state === "done"), JSON.stringify(rows));
      const by = new Set(rows.map((r) => r.locked_by));
      assert(by.has("a") && by.has("b"), `both instances worked: ${[...by]}`);
      assertEquals(await count(db, "select count(*) as n from facilities"), 100);
    } finally {
      await otherDb.close();
    }
  },
  { only: ["postgres"] },
);
