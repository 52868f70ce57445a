/**
 * A private PostgreSQL cluster for tests that stop and start the server (fault tests), which
 * must never touch the shared server behind `TEST_DATABASE_URL`. Made the way `.ci/pg.sh` does
 * it: `initdb` into a temp dir, `pg_ctl start` on a free loopback port with fsync off, and, when
 * running as root (initdb refuses root), everything as the system user `intake-pg`.
 *
 * @example
 * ```ts ignore
 * const found = findPgCluster();
 * if (typeof found === "string") throw new Error(`skipped: ${found}`);
 * await using cluster = await startPgCluster(found);
 * await cluster.stop(); // pg_ctl stop -m immediate
 * await cluster.start(); // same port, same data
 * ```
 *
 * @module
 */

/** Where the binaries are and whom to run them as. */
export interface PgSetup {
  bin: string;
  /** The OS user to run PostgreSQL as (root only); null runs it as ourselves. */
  user: string | null;
}

/** A running private cluster. */
export interface PgCluster extends AsyncDisposable {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, the superuser's admin URL. */
  readonly adminUrl: string;
  /** Stops the server at once (`-m immediate`: no shutdown checkpoint, clients cut off). */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and deletes the cluster. */
  dispose(): Promise<void>;
}

const OS_USER = "intake-pg";

/**
 * Finds `initdb` and `pg_ctl` (PATH, /usr/local/bin, /usr/lib/postgresql/<n>/bin) and the user
 * to run them as; returns why not when they cannot be used here, so tests can skip with it.
 */
export function findPgCluster(): PgSetup | string {
  const candidates = [
    ...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean),
    "/usr/local/bin",
    ...postgresqlBinDirs(),
  ];
  const bin = candidates.find((dir) =>
    isExecutable(`${dir}/initdb`) && isExecutable(`${dir}/pg_ctl`)
  );
  if (!bin) return "PostgreSQL binaries (initdb, pg_ctl) not found";
  if (Deno.uid() !== 0) return { bin, user: null };
  if (!isExecutable("/usr/sbin/runuser") && !isExecutable("/sbin/runuser")) {
    return "running as root without runuser (initdb refuses root)";
  }
  const id = new Deno.Command("id", { args: ["-u", OS_USER], stdout: "null", stderr: "null" })
    .outputSync();
  if (!id.success) return `running as root and the user "${OS_USER}" does not exist (.ci/pg.sh)`;
  return { bin, user: OS_USER };
}

/** Creates and starts a throwaway cluster. */
export async function startPgCluster(setup: PgSetup): Promise<PgCluster> {
  const dir = await Deno.makeTempDir({ prefix: "intake-pg-fault-" });
  if (setup.user) await run("chown", [setup.user, dir]);
  const data = `${dir}/data`;
  const port = freePort();
  const asUser = (cmd: string, args: string[]) =>
    setup.user ? run("runuser", ["-u", setup.user, "--", cmd, ...args]) : run(cmd, args);
  const pgCtl = (args: string[]) => asUser(`${setup.bin}/pg_ctl`, ["-D", data, ...args]);
  const start = () =>
    pgCtl([
      "-l",
      `${dir}/server.log`,
      "-w",
      "-t",
      "60",
      "-o",
      // fsync off is safe here (the OS keeps running), but synchronous_commit stays on: an
      // immediate stop would otherwise lose commits the client was told had happened.
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c max_connections=100 ` +
      "-c fsync=off -c full_page_writes=off",
      "start",
    ]);
  let running = false;
  const cluster: PgCluster = {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await pgCtl(["-m", "immediate", "-w", "stop"]);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async dispose() {
      if (running) await cluster.stop().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    [Symbol.asyncDispose]: () => cluster.dispose(),
  };
  try {
    await asUser(`${setup.bin}/initdb`, [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    await cluster.start();
  } catch (err) {
    await cluster.dispose();
    throw err;
  }
  return cluster;
}

function postgresqlBinDirs(): string[] {
  try {
    return [...Deno.readDirSync("/usr/lib/postgresql")]
      .map((e) => e.name)
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => `/usr/lib/postgresql/${version}/bin`);
  } catch {
    return [];
  }
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const output = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (output.success) return;
  const text = new TextDecoder().decode(output.stderr) || new TextDecoder().decode(output.stdout);
  throw new Error(`Cannot run ${cmd} ${args.join(" ")}: ${text.trim()}`);
}
