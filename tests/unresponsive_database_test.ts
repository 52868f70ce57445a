/**
 * A database that keeps its connections open but stops answering (a network partition, a hung
 * server) must not keep the server from stopping: on SIGTERM the database close gets its bounded
 * time, and the whole shutdown a last deadline (handing a running job back writes to the
 * database); then the process exits with code 1. It used to wait forever. PostgreSQL only: PGlite
 * runs inside the process.
 */
import { generateEmissionsCsv } from "../bench/gen_emissions.ts";
import { assert, assertEquals } from "./assert.ts";
import { openPostgresTestDatabase } from "./db_harness.ts";
import { pollUntil } from "./poll.ts";
import {
  getRun,
  type ServerProcess,
  startServer,
  uploadFacilitiesFor,
  uploadFile,
} from "./server_process.ts";

const adminUrl = Deno.env.get("TEST_DATABASE_URL") || undefined;

/** A TCP relay to `port` that can be told to stop passing bytes while its sockets stay open. */
function silenceableRelay(port: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  let quiet = false;
  // Held bytes wait for this, which only stop() releases.
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(65_536);
    try {
      for (let n = await from.read(buffer); n !== null; n = await from.read(buffer)) {
        // Bytes that arrive once silenced are held, never passed on.
        if (quiet) await released;
        await to.write(buffer.subarray(0, n));
      }
    } catch {
      // closed by the other end or by stop()
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(client, upstream);
      pump(client, upstream);
      pump(upstream, client);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    silence() {
      quiet = true;
    },
    async stop() {
      release();
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await accepting.catch(() => {});
    },
  };
}

/** Stops `server` with SIGTERM; fails when it takes more than a minute (it hung, before). */
async function stopWithin(server: ServerProcess): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => timer = setTimeout(() => resolve("hung"), 60_000));
  const code = await Promise.race([server.stop("SIGTERM"), hung]);
  clearTimeout(timer);
  if (code === "hung") {
    await server.stop("SIGKILL");
    throw new Error("the server did not exit within a minute of SIGTERM");
  }
  return code;
}

/** Runs `fn` with a fresh database reached through a relay, and the relay's URL. */
async function throughRelay(
  fn: (url: string, relay: ReturnType<typeof silenceableRelay>) => Promise<void>,
): Promise<void> {
  await using database = await openPostgresTestDatabase(adminUrl!);
  const target = new URL(database.url!);
  const relay = silenceableRelay(Number(target.port));
  try {
    const url = new URL(target);
    url.port = String(relay.port);
    await fn(url.href, relay);
  } finally {
    await relay.stop();
  }
}

const common = {
  ignore: adminUrl === undefined || Deno.build.os === "windows",
  // The relay's held reads end only when it stops.
  sanitizeOps: false,
  sanitizeResources: false,
};

Deno.test({
  ...common,
  name: "[postgres] a server whose database stops answering still stops on SIGTERM",
  fn: () =>
    throughRelay(async (url, relay) => {
      const server = await startServer({ DATABASE_URL: url, INTAKE_SHUTDOWN_GRACE_MS: "300" });
      assertEquals((await fetch(`${server.url}/health/ready`)).status, 200);
      relay.silence();
      // A request that needs the database, so a query waits on a silent connection.
      const stuck = fetch(`${server.url}/api/v1/runs`).then((r) => r.body?.cancel(), () => {});
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The grace, then the 5 s the close gets at least: ~6 s.
      assertEquals(await stopWithin(server), 1, "an unclean stop exits with 1");
      await stuck;
      const messages = server.lines().map((l) => l.msg);
      assert(
        messages.includes("database did not close in time: its connections are abandoned"),
        `the abandoned close is logged: ${messages.join(", ")}`,
      );
      assertEquals(messages.at(-1), "intake stopped");
    }),
});

Deno.test({
  ...common,
  name: "[postgres] a server whose database stops answering mid-job still stops on SIGTERM",
  fn: () =>
    throughRelay(async (url, relay) => {
      const server = await startServer({
        DATABASE_URL: url,
        INTAKE_WORKER_CONCURRENCY: "1",
        INTAKE_SHUTDOWN_GRACE_MS: "300",
      });
      const rows = 100_000;
      await uploadFacilitiesFor(server.url, rows, 22);
      const file = new Uint8Array(await new Response(generateEmissionsCsv(rows, 22)).arrayBuffer());
      const { body } = await uploadFile(server.url, "emissions", file, "mode=direct&async=1");
      await pollUntil("the run to be processing rows", async () => {
        const run = await getRun(server.url, body.id as string);
        return run.status === "processing" && (run.progress as { rows: number }).rows > 0
          ? run
          : undefined;
      }, { everyMs: 50 });
      relay.silence();
      // Handing the job back waits on the silent database; the deadline (3 × 0.3 + 10 s) ends it.
      assertEquals(await stopWithin(server), 1, "an unclean stop exits with 1");
      const messages = server.lines().map((l) => l.msg);
      assert(
        messages.includes("shutdown did not finish in time: exiting"),
        `the deadline is logged: ${messages.join(", ")}`,
      );
    }),
});
