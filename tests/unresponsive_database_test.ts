/**
 * A database that keeps its connections open but stops answering (a network partition, a hung
 * server) must not keep the server from stopping: on SIGTERM it waits its grace period for the
 * database to close, then abandons the connections and exits with code 1. It used to wait
 * forever. PostgreSQL only: PGlite runs inside the process.
 */
import { assert, assertEquals } from "./assert.ts";
import { openPostgresTestDatabase } from "./db_harness.ts";

const adminUrl = Deno.env.get("TEST_DATABASE_URL") || undefined;

/** A TCP relay to `port` that can be told to stop passing bytes while its sockets stay open. */
function silenceableRelay(port: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  let silence!: () => void;
  const silenced = new Promise<never>((resolve) => silence = () => resolve(undefined as never));
  let quiet = false;
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(65_536);
    try {
      for (let n = await from.read(buffer); n !== null; n = await from.read(buffer)) {
        // Bytes that arrive once silenced are held, never passed on.
        if (quiet) await silenced;
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
      silence();
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

Deno.test({
  name: "[postgres] a server whose database stops answering still stops on SIGTERM",
  ignore: adminUrl === undefined,
  // The relay's held reads end only when it stops.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using database = await openPostgresTestDatabase(adminUrl!);
    const target = new URL(database.url!);
    const relay = silenceableRelay(Number(target.port));
    try {
      const url = new URL(target);
      url.port = String(relay.port);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", "main.ts"],
        cwd: new URL("../", import.meta.url),
        env: {
          PORT: "0",
          HOSTNAME: "127.0.0.1",
          DATABASE_URL: url.href,
          INTAKE_SHUTDOWN_GRACE_MS: "300",
        },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const stderr = new Response(child.stderr).text();
      const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("\n")) {
        const { value, done } = await stdout.read();
        if (done) break;
        out += value;
      }
      const ready = /^Fresh ready: (http:\/\/127\.0\.0\.1:\d+)\/\n$/.exec(out);
      if (!ready) {
        child.kill("SIGKILL");
        throw new Error(`main.ts did not start: ${out}${await stderr}`);
      }
      assertEquals((await fetch(`${ready[1]}/health/ready`)).status, 200);

      relay.silence();
      // A request that needs the database, so a query waits on a silent connection.
      const stuck = fetch(`${ready[1]}/api/v1/runs`).then((r) => r.body?.cancel(), () => {});
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill("SIGTERM");
      // Without the bound the process never ends; a minute is far beyond its ~6 s (the grace,
      // then the 5 s the close gets at least).
      const timeout = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 60_000));
      const status = await Promise.race([child.status, timeout]);
      if (status === "hung") child.kill("SIGKILL");
      for (let r = await stdout.read(); !r.done; r = await stdout.read()) { /* drain */ }
      await stuck;
      assert(status !== "hung", "the server did not exit within a minute of SIGTERM");
      assertEquals(status.code, 1, "an unclean stop exits with 1");
      const lines = (await stderr).split("\n").filter((l) => l).map((l) => JSON.parse(l));
      assert(
        lines.some((l) =>
          l.msg === "database did not close in time: its connections are abandoned"
        ),
        "the abandoned close is logged",
      );
      assertEquals(lines.at(-1)?.msg, "intake stopped");
    } finally {
      await relay.stop();
    }
  },
});
