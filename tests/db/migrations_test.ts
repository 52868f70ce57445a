import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import type { Database } from "../../db/database.ts";
import { migrateDown, migrateToLatest, MigrationError, migrationStatus } from "../../db/migrate.ts";
import { openPostgresDatabase } from "../../db/postgres_database.ts";
import { migrations } from "../../migrations/mod.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { describeDatabases } from "../db_harness.ts";

const KYSELY_TABLES = ["kysely_migration", "kysely_migration_lock"];
const names = Object.keys(migrations).sort();

async function tables(db: Database): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' ORDER BY table_name`.execute(db.kysely);
  return rows.map((r) => r.name);
}

describeDatabases("migrations go up, report status, and come down step by step", async (db) => {
  assertEquals(
    (await migrationStatus(db)).map((s) => s.executedAt),
    names.map(() => null),
    "all pending on an empty database",
  );

  assertEquals(await migrateToLatest(db), names);
  const created = await tables(db);
  for (const table of ["ingest_runs", "ingest_rows"]) {
    assert(created.includes(table), `"${table}" missing after migrating up: ${created}`);
  }
  const status = await migrationStatus(db);
  assertEquals(status.map((s) => s.name), names);
  assert(status.every((s) => s.executedAt instanceof Date), "every migration has run");
  assertEquals(await migrateToLatest(db), [], "a second run has nothing to do");

  assertEquals(await migrateDown(db), [names[names.length - 1]]);
  assertEquals((await migrationStatus(db)).at(-1)?.executedAt, null);

  assertEquals(await migrateDown(db, "all"), names.slice(0, -1).reverse());
  assertEquals(await tables(db), KYSELY_TABLES, "nothing left but Kysely's own tables");
  assertEquals(await migrateDown(db, 3), [], "nothing to undo");

  assertEquals(await migrateToLatest(db), names, "up again from scratch");
  assertEquals((await tables(db)).sort(), created.sort());
});

// A broken set of migrations, to see how failures are reported.
const fixtures: Record<string, Migration> = {
  "0001_good": {
    up: async (db: Kysely<unknown>) => {
      await db.schema.createTable("good").addColumn("id", "integer").execute();
    },
    down: async (db: Kysely<unknown>) => {
      await db.schema.dropTable("good").execute();
    },
  },
  "0002_broken": {
    up: async (db: Kysely<unknown>) => {
      await sql`SELECT * FROM no_such_table`.execute(db);
    },
    down: async () => {},
  },
};

describeDatabases("a failing migration is named and nothing of its run stays", async (db) => {
  const err = await assertRejects(() => migrateToLatest(db, { migrations: fixtures }));
  assert(err instanceof MigrationError, `unexpected error: ${err}`);
  assertEquals(err.migrationName, "0002_broken");
  assert(
    err.message.startsWith('Migration "0002_broken" failed (up): '),
    `message: ${err.message}`,
  );
  assert(/no_such_table/.test(err.message), `message: ${err.message}`);
  // One transaction per run: "0001_good" was rolled back with it.
  assertEquals(
    (await migrationStatus(db, { migrations: fixtures })).map((s) => s.executedAt),
    [null, null],
  );
  assertEquals(await tables(db), KYSELY_TABLES);
});

describeDatabases("two instances migrating at once run each migration once", async (db) => {
  // PostgreSQL: a second pool, as a second instance would have; PGlite: the same instance.
  const other: Database = db.url === undefined
    ? db
    : await openPostgresDatabase({ url: db.url, poolSize: 2 });
  try {
    const [first, second] = await Promise.all([migrateToLatest(db), migrateToLatest(other)]);
    assertEquals([...first, ...second].sort(), names);
    assertEquals((await migrationStatus(db)).filter((s) => s.executedAt === null), []);
  } finally {
    if (other !== db) await other.close();
  }
});

describeDatabases("migrateDown() rejects a step count that is not a whole number", async (db) => {
  const err = await assertRejects(() => migrateDown(db, -1));
  assert(err instanceof RangeError);
  assertEquals(err.message, "Cannot migrate down -1 steps: expected a whole number >= 0");
}, { only: ["pglite"] });
