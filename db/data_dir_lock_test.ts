import { sql } from "kysely";
import { isIngestError } from "../core/errors.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../tests/assert.ts";
import { LOCK_FILE, lockDataDir } from "./data_dir_lock.ts";
import { openPgliteDatabase } from "./pglite_database.ts";

const OPEN_SCRIPT = new URL("./testdata/open_pglite.ts", import.meta.url).pathname;

Deno.test("lockDataDir() lets one holder in at a time and names the holder's pid", async () => {
  const dataDir = `${await Deno.makeTempDir({ prefix: "intake-lock-" })}/data`;
  try {
    const first = await lockDataDir(dataDir);
    assertEquals(first.path, `${dataDir}/${LOCK_FILE}`);
    const err = await assertRejects(() => lockDataDir(dataDir));
    assert(isIngestError(err, "database_unavailable"), String(err));
    assertEquals(err.details, { dataDir, lockFile: first.path, pid: Deno.pid });
    assertMatch(err.message, new RegExp(`another process \\(pid ${Deno.pid}\\) is using it`));

    first.release();
    first.release();
    const second = await lockDataDir(dataDir);
    second.release();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test({
  name: "openPgliteDatabase() refuses a data directory another process has open",
  // PGlite can leave a timer armed after close() (see tests/db_harness.ts).
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "intake-lock-" });
    const db = await openPgliteDatabase({ dataDir });
    try {
      await sql`CREATE TABLE kept (v text)`.execute(db.kysely);
      const other = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", OPEN_SCRIPT, dataDir],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(other.stderr);
      assertEquals(other.code, 1, stderr);
      assertMatch(
        stderr,
        new RegExp(`database_unavailable: Cannot open the PGlite data directory .*pid ${Deno.pid}`),
      );
    } finally {
      await db.close();
    }
    // Once closed, the other process gets in and sees what this one wrote.
    const other = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", OPEN_SCRIPT, dataDir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(
      [other.code, new TextDecoder().decode(other.stdout)],
      [0, "tables: kept\n"],
      new TextDecoder().decode(other.stderr),
    );
    await Deno.remove(dataDir, { recursive: true });
  },
});
