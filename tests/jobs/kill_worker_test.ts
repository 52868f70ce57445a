/**
 * The worker's process dies mid-run (SIGKILL, no chance to clean up): a fresh server on the same
 * database settles the run, and the target table is never half-written.
 */
import { sql } from "kysely";
import { generateEmissionsCsv } from "../../bench/gen_emissions.ts";
import type { Database } from "../../db/database.ts";
import { assert, assertEquals } from "../assert.ts";
import { databaseTargets } from "../db_harness.ts";
import { pollUntil } from "../poll.ts";
import {
  getRun,
  type ServerProcess,
  startServer,
  uploadFacilitiesFor,
  uploadFile,
} from "../server_process.ts";

async function scalar(db: Database, query: string): Promise<unknown> {
  const { rows } = await sql<{ v: unknown }>`${sql.raw(query)}`.execute(db.kysely);
  return rows[0]?.v;
}

/** Polls the run through `server` until it is committed or failed. */
function finalRun(server: ServerProcess, id: string): Promise<Record<string, unknown>> {
  return pollUntil(`run ${id} to finish`, async () => {
    const run = await getRun(server.url, id);
    return run.status === "committed" || run.status === "failed" ? run : undefined;
  }, { timeoutMs: 240_000, everyMs: 250, describe: () => getRun(server.url, id) });
}

/** What the second server must show after taking over the dead one's run. */
async function assertSettled(
  db: Database,
  second: ServerProcess,
  first: ServerProcess,
  id: string,
  rows: number,
): Promise<void> {
  const run = await finalRun(second, id);
  const target = Number(await scalar(db, "select count(*) as v from emissions"));
  const job = await scalar(db, `select row_to_json(j) as v from ingest_jobs j`) as {
    attempts: number;
    state: string;
    locked_by: string;
  };
  if (run.status === "committed") {
    // Retried from the stored upload: the whole file, once.
    assertEquals([target, (run.counts as { new: number }).new], [rows, rows]);
    assertEquals([job.attempts, job.state, job.locked_by], [2, "done", second.instance]);
    const lines = second.lines();
    const expired = lines.find((l) => l.msg === "job lease expired" && l.run_id === id);
    assertEquals(expired?.previous_holder, first.instance);
    assert(lines.some((l) => l.msg === "job requeued" && l.run_id === id));
  } else {
    // The kill hit the commit: rolled back, and the run says so.
    assertEquals((run.error as { type: string }).type, "interrupted");
    assertEquals(target, 0);
  }
  assertEquals(Number(await scalar(db, "select count(*) as v from ingest_inputs")), 0);
  assertEquals(Number(await scalar(db, "select count(*) as v from ingest_rows")), 0);
  const stagingTables = "select count(*) as v from pg_tables where tablename like 'ingest_stage_%'";
  assertEquals(Number(await scalar(db, stagingTables)), 0);
}

const postgres = databaseTargets().find((t) => t.name === "postgres")!;

Deno.test({
  name:
    `[postgres] a worker killed mid-run: a fresh server retries the run, the target is never half-written${
      postgres.ignore ? ` (skipped: ${postgres.reason})` : ""
    }`,
  ignore: postgres.ignore || Deno.build.os === "windows",
  async fn() {
    await using db = await postgres.open();
    const rows = 200_000;
    // About 17 MB: above the 8 MiB default threshold, so it is queued without asking.
    const file = new Uint8Array(await new Response(generateEmissionsCsv(rows, 11)).arrayBuffer());
    const env = {
      DATABASE_URL: db.url!,
      INTAKE_JOB_LEASE_MS: "3000",
      INTAKE_WORKER_CONCURRENCY: "1",
    };
    const first = await startServer(env);
    let id: string;
    try {
      await uploadFacilitiesFor(first.url, rows, 11);
      const { status, body } = await uploadFile(first.url, "emissions", file);
      assertEquals([status, body.status], [202, "queued"], JSON.stringify(body));
      id = body.id as string;
      await pollUntil("the run to be processing rows", async () => {
        const run = await getRun(first.url, id);
        const progress = run.progress as { rows: number };
        return run.status === "processing" && progress.rows > 0 ? run : undefined;
      }, { everyMs: 100, describe: () => getRun(first.url, id) });
    } finally {
      assertEquals(await first.stop("SIGKILL"), 137);
    }
    assertEquals(Number(await scalar(db, "select count(*) as v from emissions")), 0);
    assertEquals(
      await scalar(db, `select status as v from ingest_runs where upload_type = 'emissions'`),
      "processing",
    );

    const second = await startServer({ ...env, INTAKE_JOB_LEASE_MS: "2000" });
    try {
      await assertSettled(db, second, first, id, rows);
    } finally {
      assertEquals(await second.stop("SIGTERM"), 0);
    }
    const steps = second.lines().map((l) => l.msg).filter((msg) =>
      [
        "shutdown requested",
        "job worker stopping",
        "job worker stopped",
        "http server stopped",
        "database closed",
        "intake stopped",
      ].includes(msg as string)
    );
    assertEquals(steps, [
      "shutdown requested",
      "job worker stopping",
      "job worker stopped",
      "http server stopped",
      "database closed",
      "intake stopped",
    ]);
  },
});

Deno.test({
  name: "[pglite] a worker killed mid-run: the restarted server retries the run at once",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "intake-kill-" });
    const rows = 30_000;
    const file = new Uint8Array(await new Response(generateEmissionsCsv(rows, 12)).arrayBuffer());
    // The lease is an hour: only the restart (PGlite has one instance) can take the job back.
    const env = { DATABASE_URL: "", INTAKE_DATA_DIR: dataDir, INTAKE_JOB_LEASE_MS: "3600000" };
    try {
      const first = await startServer(env);
      let id: string;
      try {
        await uploadFacilitiesFor(first.url, rows, 12);
        const { status, body } = await uploadFile(first.url, "emissions", file, "async=1");
        assertEquals([status, body.status], [202, "queued"], JSON.stringify(body));
        id = body.id as string;
        // PGlite's one connection answers a look at the run only after it ends: watch the log.
        await pollUntil(
          "the worker to claim the job",
          () => first.lines().some((l) => l.msg === "job claimed" && l.run_id === id) || undefined,
        );
      } finally {
        assertEquals(await first.stop("SIGKILL"), 137);
      }
      const second = await startServer(env);
      try {
        const run = await finalRun(second, id);
        assertEquals(run.status, "committed", JSON.stringify(run.error));
        assertEquals((run.counts as { new: number }).new, rows);
        const exported =
          await (await fetch(`${second.url}/api/v1/upload-types/emissions/export.csv`))
            .text();
        assertEquals(exported.trimEnd().split("\n").length, rows + 1, "every row, once");
        assert(
          second.lines().some((l) => l.msg === "job requeued" && l.run_id === id),
          JSON.stringify(second.lines()),
        );
      } finally {
        assertEquals(await second.stop("SIGTERM"), 0);
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
