/**
 * `deno task migrate [up|down|status] [--steps N]`: applies, undoes or lists migrations on the
 * database named by `DATABASE_URL`, or on embedded PGlite under `INTAKE_DATA_DIR` (default
 * `.data/`). Exits 0 on success, 1 when a migration or the connection fails, 2 on bad usage.
 * `deno task migrate create-table <type>` writes a migration creating an upload type's table
 * from its config (`create_table.ts`, which has its own exit codes).
 *
 * @example
 * ```sh
 * deno task migrate              # same as `up`
 * deno task migrate status
 * deno task migrate down --steps 2
 * deno task migrate create-table sites
 * ```
 *
 * @module
 */
import type { Database } from "./database.ts";
import { createTable } from "./create_table.ts";
import { migrateDown, migrateToLatest, type MigrationState, migrationStatus } from "./migrate.ts";
import { openDatabase } from "./open_database.ts";

const USAGE = `Usage: deno task migrate [up|down|status] [--steps N]
       deno task migrate create-table <type>

  up            apply every pending migration (default)
  down          undo the last migration, or the last N with --steps N (--steps all: every one)
  status        list migrations and when each ran
  create-table  write migrations/NNNN_<type>.ts creating the upload type's table from its
                config; when the table exists, say how it differs instead (docs/upload_types.md)

Database: DATABASE_URL (postgres://…) if set, else PGlite in INTAKE_DATA_DIR (default .data/).`;

/** A parsed command line. */
export type MigrateCommand =
  | { command: "up" | "down" | "status"; steps: number | "all" }
  | { command: "create-table"; uploadType: string };

/** Parses the arguments; returns a usage error message instead of a command when they are bad. */
export function parseMigrateArgs(args: readonly string[]): MigrateCommand | { error: string } {
  if (args[0] === "create-table") {
    if (args.length === 1) return { error: "create-table needs the upload type's name" };
    if (args.length > 2) return { error: `Unexpected argument "${args[2]}"` };
    return { command: "create-table", uploadType: args[1] };
  }
  let command: "up" | "down" | "status" | undefined;
  let steps: number | "all" | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let value: string | undefined;
    if (arg === "--steps") value = args[++i] ?? "";
    else if (arg.startsWith("--steps=")) value = arg.slice("--steps=".length);
    else if (arg === "create-table") return { error: `"create-table" must come first` };
    else if (arg === "up" || arg === "down" || arg === "status") {
      if (command !== undefined) return { error: `Unexpected argument "${arg}"` };
      command = arg;
      continue;
    } else return { error: `Unknown argument "${arg}"` };
    if (value === "all") steps = "all";
    else if (/^\d+$/.test(value)) steps = Number(value);
    else return { error: `Invalid --steps "${value}": expected a whole number or "all"` };
  }
  command ??= "up";
  if (steps !== undefined && command !== "down") {
    return { error: `--steps applies only to "down", not "${command}"` };
  }
  return { command, steps: steps ?? 1 };
}

/** Renders migration states as an aligned two-column table. */
export function formatStatusTable(states: readonly MigrationState[]): string {
  if (states.length === 0) return "No migrations.";
  const rows = states.map((s) => [s.name, s.executedAt?.toISOString() ?? "pending"]);
  const width = Math.max("Migration".length, ...rows.map(([name]) => name.length));
  const lines = [["Migration", "Executed at"], ...rows].map(([name, when]) =>
    `${name.padEnd(width)}  ${when}`
  );
  lines.splice(1, 0, `${"-".repeat(width)}  ${"-".repeat(24)}`);
  return lines.join("\n");
}

/** Where the CLI reads its settings and writes its output (injected by tests). */
export interface MigrateCliIo {
  env: (name: string) => string | undefined;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Upload types' config files, for create-table. @default {config/upload_types/} */
  uploadTypesDir?: URL;
  /** Where create-table reads and writes migrations. @default {migrations/} */
  migrationsDir?: URL;
}

/** Runs the CLI and returns its exit code. */
export async function runMigrateCli(args: readonly string[], io: MigrateCliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parseMigrateArgs(args);
  if ("error" in parsed) {
    io.err(`${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.command === "create-table") {
    return await createTable(parsed.uploadType, {
      ...io,
      uploadTypesDir: io.uploadTypesDir ?? new URL("../config/upload_types/", import.meta.url),
      migrationsDir: io.migrationsDir ?? new URL("../migrations/", import.meta.url),
    });
  }
  const url = io.env("DATABASE_URL") || undefined;
  const dataDir = io.env("INTAKE_DATA_DIR") || ".data/";
  let db: Database | undefined;
  try {
    db = await openDatabase(url === undefined ? { dataDir } : { url, poolSize: 1 });
    io.out(url === undefined ? `PGlite at ${dataDir}` : `PostgreSQL (DATABASE_URL)`);
    if (parsed.command === "up") {
      const ran = await migrateToLatest(db);
      io.out(ran.length === 0 ? "Already up to date." : `Applied: ${ran.join(", ")}`);
    } else if (parsed.command === "down") {
      const undone = await migrateDown(db, parsed.steps);
      io.out(undone.length === 0 ? "Nothing to undo." : `Undone: ${undone.join(", ")}`);
    }
    io.out("");
    io.out(formatStatusTable(await migrationStatus(db)));
    return 0;
  } catch (err) {
    io.err(`Error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await db?.close();
  }
}

if (import.meta.main) {
  const code = await runMigrateCli(Deno.args, {
    env: (name) => Deno.env.get(name),
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  Deno.exit(code);
}
