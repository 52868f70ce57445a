/**
 * Runs the CLI commands as real subprocesses against a real database: a PGlite data directory
 * of its own, or a fresh PostgreSQL database from `tests/db_harness.ts` passed with
 * `--database-url`. Checks read the database directly (PGlite: opened only between commands,
 * since one process at a time may hold it).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Database } from "../../db/database.ts";
import { PostgresStore } from "../../store/postgres/postgres_store.ts";
import { openPgliteDatabase } from "../../db/pglite_database.ts";
import { type DatabaseTarget, databaseTargets, pgliteTemplate } from "../../tests/db_harness.ts";

/** What a finished command printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One database the CLI is pointed at. */
export interface CliDatabase extends AsyncDisposable {
  /** Runs `cli/<command>.ts` with `args` (plus `--database-url` for PostgreSQL). */
  run(command: "ingest" | "runs", args: readonly string[]): Promise<CliResult>;
  /** Opens the database in this process for the length of `fn`. */
  inspect<T>(fn: (db: Database, store: PostgresStore) => Promise<T>): Promise<T>;
}

const decoder = new TextDecoder();

/** Runs a CLI script as a subprocess with the given environment additions. */
export async function runCli(
  command: "ingest" | "runs",
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const script = fileURLToPath(new URL(`../${command}.ts`, import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    // DATABASE_URL of the surrounding shell must not leak into a test's choice of database.
    env: { DATABASE_URL: "", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** The engines to run the CLI against (PostgreSQL only with `TEST_DATABASE_URL`). */
export function cliTargets(): Array<DatabaseTarget & { openCli(): Promise<CliDatabase> }> {
  return databaseTargets().map((target) => ({
    ...target,
    openCli: () => target.name === "pglite" ? openPgliteCli() : openPostgresCli(target),
  }));
}

/**
 * A new PGlite data directory, initialised from the test harness's template (initdb takes
 * seconds), and opened with it: the caller holds it until `close()`.
 */
export async function openSeededPglite(dataDir: string): Promise<Database> {
  return await openPgliteDatabase({ dataDir, loadDataDir: await pgliteTemplate() });
}

async function openPgliteCli(): Promise<CliDatabase> {
  const dataDir = await Deno.makeTempDir({ prefix: "intake-cli-" });
  await (await openSeededPglite(dataDir)).close();
  return {
    run: (command, args) => runCli(command, args, { INTAKE_DATA_DIR: dataDir }),
    async inspect(fn) {
      const db = await openPgliteDatabase({ dataDir });
      try {
        return await fn(db, new PostgresStore(db));
      } finally {
        await db.close();
      }
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

async function openPostgresCli(target: DatabaseTarget): Promise<CliDatabase> {
  // Empty, not migrated: the CLI migrates the database it opens, as the server does.
  const db = await target.open();
  const store = new PostgresStore(db);
  return {
    run: (command, args) => runCli(command, [...args, "--database-url", db.url!]),
    inspect: (fn) => fn(db, store),
    [Symbol.asyncDispose]: () => db.dispose(),
  };
}
