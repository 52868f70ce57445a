/**
 * Soak: one real server process (`main.ts`, through tests/soak_server.ts) takes 200 small
 * uploads in a row (direct, staged then committed, and refused ones). Afterwards its memory
 * (after a full GC) and its database connections are back near where they were after warming
 * up, its pool is idle, and no run is left in a non-final status.
 *
 * @module
 */
import postgres from "postgres";
import { assert, assertEquals } from "./assert.ts";
import { pollUntil } from "./poll.ts";
import { MARK } from "./soak_server.ts";
import { MALLOC_ENV, v8FlagsArg } from "../host/deno/process_settings.ts";
import { databaseTargets, openPostgresTestDatabase, type TestDatabase } from "./db_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const WARM_UP = 20;
const UPLOADS = 200;
/**
 * Growth allowed after a full GC: heap is exact; RSS also holds freed pages V8 keeps. Measured:
 * RSS 10–11 MB on PostgreSQL, 3–10 MB on PGlite; 11–64 MB on PostgreSQL before the server fixed
 * glibc's mmap threshold, when the allocator's main heap kept freed megabyte buffers.
 */
const HEAP_GROWTH_MB = 8;
const RSS_GROWTH_MB = 32;

interface Memory {
  rss: number;
  heapUsed: number;
}

/** The server process, its URL and a way to ask it for its memory. */
interface Server {
  url: string;
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      // The server's own heap settings (deno task start), plus gc() for the measurement.
      v8FlagsArg(["--expose-gc"]),
      new URL("./soak_server.ts", import.meta.url).pathname,
    ],
    // And its allocator setting (deno task start).
    env: {
      ...env,
      ...MALLOC_ENV,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "error",
    },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines())
    .getReader();
  const url = `http://127.0.0.1:${port}`;
  await pollUntil("the server to answer /health/ready", async () => {
    const res = await fetch(`${url}/health/ready`).catch(() => null);
    await res?.body?.cancel();
    return res?.status === 200 || undefined;
  }, { everyMs: 100 });
  return {
    url,
    async memory() {
      child.kill("SIGUSR2");
      while (true) {
        const { value, done } = await lines.read();
        assert(!done, "the server printed its memory");
        if (value.startsWith(`${MARK} `)) return JSON.parse(value.slice(MARK.length + 1));
      }
    },
    async stop() {
      child.kill("SIGTERM");
      await lines.cancel().catch(() => {});
      await child.status;
    },
  };
}

function splitLines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) if (line.trim()) controller.enqueue(line);
    },
  });
}

/** Upload `i`: mostly direct imports, every third staged and committed, every fifth refused. */
async function upload(url: string, i: number): Promise<void> {
  const id = (n: number) => `SOK-${String(n).padStart(6, "0")}`;
  const refused = i % 5 === 4;
  const staged = !refused && i % 3 === 2;
  let csv = "facility_id,name,county,latitude,longitude,opened_on,active\n";
  for (let k = 0; k < 5; k++) {
    csv += `${refused && k === 2 ? "bad id" : id(i * 5 + k)},Soak ${i},Kent,51.5,-0.1,2020-01-0${
      k + 1
    },true\n`;
  }
  const res = await fetch(`${url}/api/v1/uploads/facilities?mode=${staged ? "staged" : "direct"}`, {
    method: "POST",
    body: csv,
    headers: { "content-type": "text/csv" },
  });
  const body: Json = await res.json();
  if (refused) {
    assertEquals([res.status, body.error?.type], [422, "validation_error"], `upload ${i}`);
    return;
  }
  assertEquals(res.status, 201, `upload ${i}: ${JSON.stringify(body)}`);
  if (!staged) return assertEquals(body.status, "committed");
  const commit = await fetch(`${url}/api/v1/runs/${body.id}/commit`, { method: "POST" });
  assertEquals(commit.status, 200, `commit ${i}`);
  await commit.body?.cancel();
}

/** The pool's gauges from `/metrics`. */
async function pool(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauges: Record<string, number> = {};
  for (const m of text.matchAll(/^intake_db_pool_connections\{state="(\w+)"\} (\d+)$/gm)) {
    gauges[m[1]] = Number(m[2]);
  }
  return gauges;
}

/** Sessions the server holds open on its test database. */
async function sessions(db: TestDatabase): Promise<number> {
  const url = new URL(db.url!);
  const admin = postgres(url.href, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and application_name = 'intake' and pid <> pg_backend_pid()`;
    return row.n;
  } finally {
    await admin.end();
  }
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

for (const target of databaseTargets()) {
  Deno.test({
    name: `[${target.name}] ${UPLOADS} uploads in a row: memory, connections and runs settle${
      target.ignore ? ` (skipped: ${target.reason})` : ""
    }`,
    ignore: target.ignore,
    async fn() {
      const dataDir = await Deno.makeTempDir({ prefix: "intake-soak-" });
      const db = target.name === "postgres"
        ? await openPostgresTestDatabase(Deno.env.get("TEST_DATABASE_URL")!)
        : undefined;
      const server = await startServer(
        db ? { DATABASE_URL: db.url! } : { INTAKE_DATA_DIR: dataDir },
      );
      try {
        for (let i = 0; i < WARM_UP; i++) await upload(server.url, i);
        const before = await server.memory();
        const sessionsBefore = db ? await sessions(db) : 0;

        for (let i = WARM_UP; i < WARM_UP + UPLOADS; i++) await upload(server.url, i);

        const after = await server.memory();
        const growth = `heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB, ` +
          `RSS ${mb(before.rss)} → ${mb(after.rss)} MB`;
        assert(after.heapUsed - before.heapUsed < HEAP_GROWTH_MB * 1024 * 1024, growth);
        assert(after.rss - before.rss < RSS_GROWTH_MB * 1024 * 1024, growth);

        // The job worker polls the queue once a second, so a sample may catch its one query;
        // a leaked connection never returns, and the deadline catches that.
        let gauges: Record<string, number> = {};
        await pollUntil("the pool to be idle", async () => {
          gauges = await pool(server.url);
          return gauges.in_use === 0 && gauges.waiting === 0 ? true : undefined;
        }, { timeoutMs: 10_000, describe: () => Promise.resolve(gauges) });
        if (db) {
          const open = await sessions(db);
          assert(
            open <= Math.max(sessionsBefore, 1) + 1 && open <= gauges.size,
            `${open} sessions after, ${sessionsBefore} before (pool of ${gauges.size})`,
          );
        }
        for (const status of ["receiving", "processing", "staged", "committing"]) {
          const res = await fetch(`${server.url}/api/v1/runs?status=${status}&limit=10`);
          assertEquals((await res.json()).runs, [], `runs left ${status}`);
        }
        const failed = await (await fetch(`${server.url}/api/v1/runs?status=failed&limit=100`))
          .json();
        assertEquals(failed.runs.length, (WARM_UP + UPLOADS) / 5);
      } finally {
        await server.stop();
        await db?.dispose();
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
  });
}
