/**
 * Several `main.ts` processes on one PostgreSQL database: queued runs are shared out, none is
 * processed twice, and an instance stopped with SIGTERM hands its unfinished run to another.
 */
import { sql } from "kysely";
import { generateEmissionsCsv } from "../../bench/gen_emissions.ts";
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

const postgres = databaseTargets().find((t) => t.name === "postgres")!;
const skipped = postgres.ignore ? ` (skipped: ${postgres.reason})` : "";
const encoder = new TextEncoder();

/** A facilities file of `rows` rows with ids no other file (other `file`) has. */
function facilitiesFile(file: number, rows: number): Uint8Array<ArrayBuffer> {
  const lines = ["facility_id,name,county"];
  for (let k = 0; k < rows; k++) {
    lines.push(`INS-${String(file * 10_000 + k).padStart(6, "0")},Site ${k},County ${file}`);
  }
  return encoder.encode(lines.join("\n") + "\n") as Uint8Array<ArrayBuffer>;
}

function settled(server: ServerProcess, id: string, status: string) {
  return pollUntil(`run ${id} to be ${status}`, async () => {
    const run = await getRun(server.url, id);
    return run.status === status ? run : undefined;
  }, { timeoutMs: 180_000, everyMs: 200, describe: () => getRun(server.url, id) });
}

Deno.test({
  name:
    `[postgres] two server instances on one database process 20 queued runs, each once${skipped}`,
  ignore: postgres.ignore || Deno.build.os === "windows",
  async fn() {
    await using db = await postgres.open();
    const env = { DATABASE_URL: db.url!, INTAKE_WORKER_CONCURRENCY: "2" };
    const servers = [await startServer(env), await startServer(env)];
    const ids: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const { status, body } = await uploadFile(
          servers[i % 2].url,
          "facilities",
          facilitiesFile(i, 2000),
          "mode=direct&async=1",
        );
        assertEquals([status, body.status], [202, "queued"], JSON.stringify(body));
        ids.push(body.id as string);
      }
      for (const id of ids) await settled(servers[0], id, "committed");
    } finally {
      for (const server of servers) assertEquals(await server.stop("SIGTERM"), 0);
    }
    const { rows: jobs } = await sql<{ run_id: string; attempts: number; locked_by: string }>`
      select run_id, attempts, locked_by from ingest_jobs where state = 'done'`.execute(db.kysely);
    assertEquals(jobs.length, 20);
    assert(jobs.every((j) => j.attempts === 1), `claimed once each: ${JSON.stringify(jobs)}`);
    const instances = servers.map((s) => s.instance);
    assertEquals(new Set(jobs.map((j) => j.locked_by)), new Set(instances), "both took jobs");
    // The history of each run in the logs: claimed once, by the instance that holds it.
    const claims = servers.flatMap((s) =>
      s.lines().filter((l) => l.msg === "job claimed").map((l) => [l.run_id, s.instance])
    );
    assertEquals(claims.length, 20);
    for (const job of jobs) {
      assertEquals(claims.filter(([id]) => id === job.run_id), [[job.run_id, job.locked_by]]);
    }
    const { rows } = await sql<{ n: string }>`select count(*) as n from facilities`
      .execute(db.kysely);
    assertEquals(Number(rows[0].n), 20 * 2000);
  },
});

Deno.test({
  name:
    `[postgres] SIGTERM hands the running job back to the queue and another instance completes it${skipped}`,
  ignore: postgres.ignore || Deno.build.os === "windows",
  async fn() {
    await using db = await postgres.open();
    const rows = 200_000;
    const file = new Uint8Array(await new Response(generateEmissionsCsv(rows, 21)).arrayBuffer());
    const env = { DATABASE_URL: db.url!, INTAKE_WORKER_CONCURRENCY: "1" };
    // The first instance alone takes the upload and is stopped while it processes it; only then
    // does the second start, so the job cannot finish in the time a second process takes to boot.
    const first = await startServer({ ...env, INTAKE_SHUTDOWN_GRACE_MS: "0" });
    let id: string;
    let second: ServerProcess | undefined;
    try {
      await uploadFacilitiesFor(first.url, rows, 21);
      const { status, body } = await uploadFile(
        first.url,
        "emissions",
        file,
        "mode=direct&async=1",
      );
      assertEquals([status, body.status], [202, "queued"]);
      id = body.id as string;
      await pollUntil("the run to be processing rows", async () => {
        const run = await getRun(first.url, id);
        return run.status === "processing" && (run.progress as { rows: number }).rows > 0
          ? run
          : undefined;
      }, { everyMs: 100 });
      assertEquals(await first.stop("SIGTERM"), 0);
      const steps = first.lines().map((l) => l.msg as string);
      for (
        const step of [
          "shutdown requested",
          "job worker stopping",
          "job released",
          "job worker stopped",
          "database closed",
          "intake stopped",
        ]
      ) assert(steps.includes(step), `"${step}" logged: ${steps.join(", ")}`);
      assertEquals(
        first.lines().find((l) => l.msg === "job released")?.outcome,
        "requeued",
      );
      second = await startServer(env);
      const run = await settled(second, id, "committed");
      assertEquals((run.counts as { new: number }).new, rows);
    } finally {
      await first.stop("SIGKILL").catch(() => {});
      if (second) assertEquals(await second.stop("SIGTERM"), 0);
    }
    const { rows: jobs } = await sql<{ attempts: number; locked_by: string }>`
      select attempts, locked_by from ingest_jobs`.execute(db.kysely);
    assertEquals(jobs, [{ attempts: 2, locked_by: second.instance! }]);
    const { rows: target } = await sql<{ n: string }>`select count(*) as n from emissions`
      .execute(db.kysely);
    assertEquals(Number(target[0].n), rows);
  },
});
