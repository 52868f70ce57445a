import { sql } from "kysely";
import postgres from "postgres";
import { isIngestError } from "../../core/errors.ts";
import { isConnectionError } from "../../db/database_errors.ts";
import { openDatabase } from "../../db/open_database.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../assert.ts";
import { describeDatabases, type TestDatabase } from "../db_harness.ts";

/** The tables these tests create, as the query builder sees them. */
type TestTables = { p: Record<string, unknown>; t: { id: number }; after_drop: { id: number } };

/** Fails instead of hanging when `promise` does not settle (a hung COPY would stall CI). */
async function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function count(db: TestDatabase, table: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`
    .execute(db.kysely);
  return Number(rows[0].n);
}

describeDatabases("copyCsv() loads quotes, newlines, NULLs and unicode", async (db) => {
  await sql`CREATE TABLE t (id int, name text, note text)`.execute(db.kysely);
  const csv = [
    `1,"say ""hi""","a, b"`,
    `2,"two\nlines",`, // empty unquoted field: NULL
    `3,"",plain`, // quoted empty field: empty string
    `4,Zürich — 東京 🚀,"line\r\nbreak"`,
    "",
  ].join("\n");
  await db.copyCsv("t", ["id", "name", "note"], csv);
  const { rows } = await sql`SELECT id, name, note FROM t ORDER BY id`.execute(db.kysely);
  assertEquals(rows, [
    { id: 1, name: 'say "hi"', note: "a, b" },
    { id: 2, name: "two\nlines", note: null },
    { id: 3, name: "", note: "plain" },
    { id: 4, name: "Zürich — 東京 🚀", note: "line\r\nbreak" },
  ]);
});

describeDatabases("copyCsv() quotes table and column names", async (db) => {
  await sql`CREATE TABLE "Odd ""Name"".x" ("Col A" text, "b""c" int)`.execute(db.kysely);
  await db.copyCsv('Odd "Name".x', ["Col A", 'b"c'], "x,1\ny,2\n");
  const { rows } = await sql`SELECT * FROM "Odd ""Name"".x" ORDER BY 2`.execute(db.kysely);
  assertEquals(rows, [{ "Col A": "x", 'b"c': 1 }, { "Col A": "y", 'b"c': 2 }]);
});

describeDatabases(
  "copyCsv() rejects a bad row, loads nothing, and leaves the db usable",
  async (db) => {
    await sql`CREATE TABLE t (id int NOT NULL, name text)`.execute(db.kysely);
    const err = await settlesWithin(
      assertRejects(() => db.copyCsv("t", ["id", "name"], "1,a\nnot-a-number,b\n3,c\n")),
      10_000,
      "copyCsv() of a bad row",
    );
    assertMatch(String((err as Error).message), /invalid input syntax for type integer/);
    assertEquals(await count(db, "t"), 0);
    // The error comes back after the data was sent, too (postgres.js needs help there).
    const big = "1,a\n".repeat(50_000) + ",null id\n";
    const late = await settlesWithin(
      assertRejects(() => db.copyCsv("t", ["id", "name"], big)),
      30_000,
      "copyCsv() failing on its last row",
    );
    assertMatch(String((late as Error).message), /null value in column "id"/);
    await db.copyCsv("t", ["id", "name"], "7,ok\n");
    assertEquals(await count(db, "t"), 1);
    assert((await db.ping()) >= 0);
  },
);

describeDatabases("copyCsv() rejects an unknown table", async (db) => {
  const err = await settlesWithin(
    assertRejects(() => db.copyCsv("missing", ["a"], "1\n")),
    10_000,
    "copyCsv() into a missing table",
  );
  assertMatch(String((err as Error).message), /relation "missing" does not exist/);
});

describeDatabases(
  "ping() measures a round trip and poolStats() reports an idle pool",
  async (db) => {
    const ms = await db.ping();
    assert(Number.isFinite(ms) && ms >= 0, `ping() returned ${ms}`);
    const stats = db.poolStats();
    assertEquals({ inUse: stats.inUse, waiting: stats.waiting }, { inUse: 0, waiting: 0 });
    assertEquals(stats.size, db.kind === "pglite" ? 1 : 4);
  },
);

describeDatabases("both drivers return the same JS values for every column type", async (db) => {
  const { rows } = await sql`
    SELECT
      32767::int2 AS int2, 2147483647::int4 AS int4, 9007199254740993::int8 AS int8,
      12345678901234567890.125::numeric AS numeric, 1.5::float4 AS float4, 0.1::float8 AS float8,
      true AS bool_true, false AS bool_false,
      '2024-02-29'::date AS date, '0001-01-01'::date AS early_date,
      '2024-01-02 03:04:05.123456+01'::timestamptz AS timestamptz,
      '0099-06-01 00:00:00+00'::timestamptz AS old_timestamptz,
      '2024-01-02 03:04:05.5'::timestamp AS timestamp,
      '{"a": [1, "x", null], "b": {"c": true}}'::jsonb AS jsonb, '[1, 2]'::json AS json,
      '\\x00ff10'::bytea AS bytea, 'héllo'::text AS text,
      '00000000-0000-0000-0000-00000000002a'::uuid AS uuid,
      '12:34:56'::time AS time, '1 day 02:00:00'::interval AS interval,
      ARRAY[1, 2]::int4[] AS int4_array, ARRAY[9007199254740993]::int8[] AS int8_array,
      ARRAY['2024-01-01'::date] AS date_array, ARRAY['a', NULL, 'NULL', 'x,"y}']::text[] AS text_array,
      ARRAY[[1, NULL], [3, 4]]::int4[] AS int4_matrix, ARRAY['1.50']::numeric[] AS numeric_array,
      ARRAY['2024-01-02 03:04:05+00'::timestamptz] AS timestamptz_array,
      NULL::int4 AS null_int, (SELECT count(*) FROM (VALUES (1), (2)) v) AS count
  `.execute(db.kysely);
  assertEquals(rows, [{
    int2: 32767,
    int4: 2147483647,
    int8: "9007199254740993",
    numeric: "12345678901234567890.125",
    float4: 1.5,
    float8: 0.1,
    bool_true: true,
    bool_false: false,
    date: "2024-02-29",
    early_date: "0001-01-01",
    timestamptz: new Date("2024-01-02T02:04:05.123Z"),
    old_timestamptz: new Date("0099-06-01T00:00:00.000Z"),
    timestamp: new Date("2024-01-02T03:04:05.500Z"),
    jsonb: { a: [1, "x", null], b: { c: true } },
    json: [1, 2],
    bytea: new Uint8Array([0, 255, 16]),
    text: "héllo",
    uuid: "00000000-0000-0000-0000-00000000002a",
    time: "12:34:56",
    interval: "1 day 02:00:00",
    int4_array: [1, 2],
    int8_array: ["9007199254740993"],
    date_array: ["2024-01-01"],
    text_array: ["a", null, "NULL", 'x,"y}'],
    int4_matrix: [[1, null], [3, 4]],
    numeric_array: ["1.50"],
    timestamptz_array: [new Date("2024-01-02T03:04:05.000Z")],
    null_int: null,
    count: "2",
  }]);
});

describeDatabases("values written as parameters read back unchanged", async (db) => {
  await sql`
    CREATE TABLE p (
      big int8, num numeric, day date, at timestamptz, doc jsonb, flag bool, bytes bytea, ids int4[]
    )`.execute(db.kysely);
  const row = {
    big: "9007199254740993",
    num: "0.10",
    day: "2024-02-29",
    at: new Date("2024-05-06T07:08:09.010Z"),
    doc: JSON.stringify({ nested: { list: [1, "two"] } }),
    flag: false,
    bytes: new Uint8Array([1, 2, 254]),
    ids: [3, 4],
  };
  await db.kysely.withTables<TestTables>().insertInto("p").values(row).execute();
  const read = await db.kysely.withTables<TestTables>().selectFrom("p").selectAll()
    .where("ids", "=", sql<number[]>`${[3, 4]}::int4[]`).execute();
  assertEquals(read, [{ ...row, doc: { nested: { list: [1, "two"] } } }]);
});

describeDatabases("a rolled-back transaction leaves nothing behind", async (db) => {
  await sql`CREATE TABLE t (id int)`.execute(db.kysely);
  const err = await assertRejects(() =>
    db.kysely.transaction().execute(async (trx) => {
      await trx.withTables<TestTables>().insertInto("t").values([{ id: 1 }, { id: 2 }]).execute();
      throw new Error("boom");
    })
  );
  assertEquals((err as Error).message, "boom");
  assertEquals(await count(db, "t"), 0);
  await db.kysely.transaction().execute((trx) =>
    trx.withTables<TestTables>().insertInto("t").values({ id: 3 }).execute()
  );
  assertEquals(await count(db, "t"), 1);
});

describeDatabases("a query outside a transaction never runs inside it", async (db) => {
  await sql`CREATE TABLE t (id int)`.execute(db.kysely);
  let releaseTransaction!: () => void;
  const held = new Promise<void>((resolve) => releaseTransaction = resolve);
  let inserted!: () => void;
  const insertedInside = new Promise<void>((resolve) => inserted = resolve);
  const events: string[] = [];

  const transaction = db.kysely.transaction().execute(async (trx) => {
    await trx.withTables<TestTables>().insertInto("t").values({ id: 1 }).execute();
    inserted();
    await held;
    events.push("transaction rolls back");
    throw new Error("roll back");
  }).catch(() => {});
  await insertedInside;
  const outside = db.kysely.withTables<TestTables>().insertInto("t").values({ id: 2 }).execute()
    .then(() => events.push("outside insert done"));

  if (db.kind === "pglite") {
    // One connection: the outside insert must queue behind the open transaction.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assertEquals(db.poolStats(), { size: 1, inUse: 1, waiting: 1 });
  } else {
    await outside; // its own pooled connection: it need not wait
  }
  releaseTransaction();
  await Promise.all([transaction, outside]);

  if (db.kind === "pglite") {
    assertEquals(events, ["transaction rolls back", "outside insert done"]);
  }
  const { rows } = await sql`SELECT id FROM t`.execute(db.kysely);
  assertEquals(rows, [{ id: 2 }]);
});

/** Terminates every other session on this test database, as a server restart would. */
async function terminateOtherSessions(url: string): Promise<void> {
  const killer = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await killer`
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  } finally {
    await killer.end();
  }
}

/** Runs `fn` until it succeeds, allowing only connection errors before that. */
async function afterConnectionErrors<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (err) {
      assert(isConnectionError(err), `expected a connection error, got ${err}`);
      if (attempt === attempts) throw err;
    }
  }
}

describeDatabases("the pool recovers when the server drops its connections", async (db) => {
  await Promise.all(Array.from({ length: 4 }, () => db.ping())); // open every pooled connection
  for (let round = 0; round < 3; round++) {
    const inFlight = Array.from(
      { length: 6 },
      () =>
        sql`SELECT pg_sleep(0.05)`.execute(db.kysely).then(
          () => "done",
          (err) => {
            assert(isConnectionError(err), `expected a connection error, got ${err}`);
            return "lost";
          },
        ),
    );
    await terminateOtherSessions(db.url!);
    await settlesWithin(Promise.all(inFlight), 10_000, "queries in flight during the drop");
    await settlesWithin(afterConnectionErrors(() => db.ping()), 10_000, "the first query after");
    const after = await settlesWithin(
      Promise.all(Array.from({ length: 6 }, () => afterConnectionErrors(() => db.ping()))),
      10_000,
      "queries after the drop",
    );
    assertEquals(after.length, 6);
  }
  const tx = await settlesWithin(
    db.kysely.transaction().execute(async (trx) => {
      await sql`CREATE TABLE after_drop (id int)`.execute(trx);
      await trx.withTables<TestTables>().insertInto("after_drop").values({ id: 1 }).execute();
      return "committed";
    }),
    10_000,
    "a transaction after the drops",
  );
  assertEquals(tx, "committed");
  assertEquals(db.poolStats(), { size: 4, inUse: 0, waiting: 0 });
}, { only: ["postgres"] });

describeDatabases(
  "a transaction whose connection dies rejects and frees its connection",
  async (db) => {
    const err = await settlesWithin(
      assertRejects(() =>
        db.kysely.transaction().execute(async (trx) => {
          await sql`SELECT 1`.execute(trx);
          await terminateOtherSessions(db.url!);
          await sql`SELECT pg_sleep(0.05)`.execute(trx);
        })
      ),
      10_000,
      "the transaction on a dead connection",
    );
    assert(isConnectionError(err), `expected a connection error, got ${err}`);
    assertEquals(db.poolStats().inUse, 0);
    assert((await afterConnectionErrors(() => db.ping())) >= 0);
  },
  { only: ["postgres"] },
);

Deno.test("openDatabase() fails fast with database_unavailable when PostgreSQL is down", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // now nothing listens there
  const err = await assertRejects(() =>
    openDatabase({ url: `postgresql://intake:secret@127.0.0.1:${port}/intake` })
  );
  assert(isIngestError(err, "database_unavailable"), `unexpected error: ${err}`);
  assertMatch(
    err.message,
    new RegExp(`^Cannot connect to PostgreSQL at "127\\.0\\.0\\.1:${port}/`),
  );
  assert(!err.message.includes("secret"), "the message must not leak the password");
});

Deno.test("openDatabase() rejects a URL that is not postgres://", async () => {
  const err = await assertRejects(() => openDatabase({ url: "mysql://root:pw@localhost/db" }));
  assert(err instanceof TypeError);
  assertEquals(
    err.message,
    'Cannot open database URL with scheme "mysql": expected postgres:// or postgresql://',
  );
});

Deno.test("openDatabase() keeps PGlite data in dataDir across reopen", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "intake-pglite-" });
  try {
    const first = await openDatabase({ dataDir });
    assertEquals(first.kind, "pglite");
    await sql`CREATE TABLE kept (v text)`.execute(first.kysely);
    await first.copyCsv("kept", ["v"], "survives\n");
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      const { rows } = await sql`SELECT v FROM kept`.execute(second.kysely);
      assertEquals(rows, [{ v: "survives" }]);
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
