/**
 * Upload types whose table or columns are missing (issue 19, defect 8): `main.ts` and the CLI
 * refuse to start naming the type, the table and what to run; a table dropped after start fails
 * `/health/ready` and gets uploads a `503 type_not_ready`, not a 500.
 */
import { sql } from "kysely";
import { migrateToLatest } from "../db/migrate.ts";
import { openSeededPglite } from "../cli/testdata/cli_harness.ts";
import { FACILITIES } from "./api/fixtures.ts";
import { appTest } from "./app_harness.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { databaseTargets } from "./db_harness.ts";
import type { Database } from "../db/database.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const ROOT = new URL("../", import.meta.url);

/** Drops the emissions table and the facilities' county: two types, two kinds of problem. */
async function breakTables(db: Database): Promise<void> {
  await sql`drop table emissions`.execute(db.kysely);
  await sql`alter table facilities drop column county`.execute(db.kysely);
}

/**
 * A migrated database of `kind` with tables broken, for a subprocess: its environment, and a
 * cleanup. PGlite is prepared in this process and closed, since only one process may open it.
 */
async function brokenDatabase(
  kind: "pglite" | "postgres",
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (kind === "pglite") {
    const dataDir = await Deno.makeTempDir({ prefix: "intake-ready-" });
    const db = await openSeededPglite(dataDir);
    await migrateToLatest(db);
    await breakTables(db);
    await db.close();
    return {
      env: { DATABASE_URL: "", INTAKE_DATA_DIR: dataDir },
      cleanup: () => Deno.remove(dataDir, { recursive: true }),
    };
  }
  const db = await databaseTargets().find((t) => t.name === "postgres")!.openMigrated();
  await breakTables(db);
  return { env: { DATABASE_URL: db.url! }, cleanup: () => db.dispose() };
}

function run(args: string[], env: Record<string, string>): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...args],
    cwd: ROOT,
    env: { PORT: "0", HOSTNAME: "127.0.0.1", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
}

function assertNamesProblems(stderr: string): void {
  assertMatch(stderr, /upload type "emissions": table "emissions" does not exist/);
  assertMatch(stderr, /upload type "facilities": table "facilities" has no column "county"/);
  assertMatch(stderr, /deno task migrate create-table <type>/);
  assertMatch(stderr, /deno task migrate up/);
}

for (const target of databaseTargets()) {
  Deno.test({
    name: `[${target.name}] main.ts refuses to start while a type's table or column is missing`,
    ignore: target.ignore,
    async fn() {
      const { env, cleanup } = await brokenDatabase(target.name);
      try {
        const out = await run(["main.ts"], env);
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 1, stderr);
        assertEquals(new TextDecoder().decode(out.stdout), "", "no ready line");
        assertMatch(
          stderr,
          /^Intake could not start: The database does not match the upload types/m,
        );
        assertNamesProblems(stderr);
      } finally {
        await cleanup();
      }
    },
  });

  Deno.test({
    name: `[${target.name}] the CLI refuses to import while a type's table is missing`,
    ignore: target.ignore,
    async fn() {
      const { env, cleanup } = await brokenDatabase(target.name);
      try {
        const out = await run(
          ["cli/ingest.ts", "facilities", "examples/facilities_clean.csv"],
          env,
        );
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 3, stderr);
        assertMatch(stderr, /^Error: The database does not match the upload types/m);
        assertNamesProblems(stderr);
      } finally {
        await cleanup();
      }
    },
  });
}

appTest("a table dropped after start: /health/ready names it, uploads get 503", async (app) => {
  const ready = await (await app.fetch("/health/ready")).json() as Json;
  assertEquals(ready.checks.upload_types, { ok: true, status: "ready", types: 2 });

  await sql`drop table emissions`.execute(app.db.kysely);
  const res = await app.fetch("/health/ready");
  const body = await res.json() as Json;
  assertEquals([res.status, body.failing], [503, ["upload_types"]]);
  assertEquals(body.checks.upload_types.status, "not_ready");
  assertEquals(body.checks.upload_types.problems, [{
    uploadType: "emissions",
    table: "emissions",
    missingTable: true,
    missingColumns: [],
    message: 'upload type "emissions": table "emissions" does not exist',
  }]);

  const upload = await app.upload("emissions", "facility_id,year,pollutant,amount,unit\n");
  const error = (await upload.json() as Json).error;
  assertEquals([upload.status, error.type], [503, "type_not_ready"], JSON.stringify(error));
  assertMatch(error.message, /table "emissions" does not exist/);
  const failed = await (await app.fetch(`/api/v1/runs/${error.details.runId}`)).json() as Json;
  assertEquals([failed.status, failed.error.type], ["failed", "type_not_ready"]);

  // Other types go on.
  const other = await app.upload("facilities", FACILITIES);
  assertEquals(other.status, 201);
  await other.body?.cancel();
});

appTest("a column dropped under a staged run: its commit gets 503 type_not_ready", async (app) => {
  const res = await app.upload("facilities", FACILITIES, { mode: "staged" });
  const run = await res.json() as Json;
  assertEquals(run.status, "staged", JSON.stringify(run));
  await sql`alter table facilities drop column county`.execute(app.db.kysely);
  const commit = await app.fetch(`/api/v1/runs/${run.id}/commit`, { method: "POST" });
  const error = (await commit.json() as Json).error;
  assertEquals([commit.status, error.type], [503, "type_not_ready"], JSON.stringify(error));
  const ready = await (await app.fetch("/health/ready")).json() as Json;
  assert(ready.failing.includes("upload_types"));
  assertEquals(ready.checks.upload_types.problems[0].missingColumns, ["county"]);
});
