/**
 * Migration 0015 rewrites the oversized errors stored before errors were bounded (issue 25),
 * once, as run reads show them; other run records are left as they are.
 *
 * @module
 */
import { sql } from "kysely";
import { migrateDown, migrateToLatest } from "../../db/migrate.ts";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { describeDatabases } from "../db_harness.ts";

describeDatabases(
  "migration 0015 bounds the errors stored before errors were bounded",
  async (db) => {
    await migrateToLatest(db);
    // Back to just before 0015, past any later migration.
    const undone: string[] = [];
    while (!undone.includes("0015_bound_run_errors")) undone.push(...await migrateDown(db));
    const big = crypto.randomUUID();
    const small = crypto.randomUUID();
    const smallError = { type: "parse_error", message: "Unclosed quote", details: { line: 3 } };
    // 640 KB of hex that compresses poorly, quoted three times as a header error did.
    await sql`insert into ingest_runs (id, upload_type, mode, status, error)
    select ${big}::uuid, 'facilities', 'direct', 'failed', jsonb_build_object(
      'type', 'header_error', 'message', 'The header row is not valid: ' || h,
      'details', jsonb_build_object('found', jsonb_build_array(h), 'unexpected', jsonb_build_array(h)))
    from (select string_agg(md5(i::text), '') as h from generate_series(1, 20000) as i) as t`
      .execute(db.kysely);
    await db.kysely.insertInto("ingest_runs").values({
      id: small,
      upload_type: "facilities",
      mode: "direct",
      status: "failed",
      error: JSON.stringify(smallError),
    }).execute();

    assertEquals(await migrateToLatest(db), undone.toReversed());
    const rows = await sql<{ id: string; error: unknown; size: number }>`
    select id, error, octet_length(error::text) as size from ingest_runs`.execute(db.kysely);
    const byId = new Map(rows.rows.map((r) => [r.id, r]));
    const rewritten = byId.get(big)!;
    assert(Number(rewritten.size) < 4096, `the stored error is ${rewritten.size} bytes`);
    const error =
      (typeof rewritten.error === "string" ? JSON.parse(rewritten.error) : rewritten.error) as {
        type: string;
        message: string;
        details: { omitted: string };
      };
    assertEquals(error.type, "header_error");
    assertMatch(error.message, /^The header row is not valid: [0-9a-f]{1971}… \(cut\)$/);
    assertMatch(error.details.omitted, /^details of a stored error of [0-9]+ bytes$/);
    const kept = byId.get(small)!.error;
    assertEquals(typeof kept === "string" ? JSON.parse(kept) : kept, smallError);
  },
);
