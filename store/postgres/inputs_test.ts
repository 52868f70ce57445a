import { sql } from "kysely";
import type { Database } from "../../db/database.ts";
import { IngestError } from "../../core/errors.ts";
import { PostgresStore } from "./postgres_store.ts";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { describeMigratedDatabases } from "../../tests/db_harness.ts";
import { deleteInput, readInput, writeInput } from "./inputs.ts";

async function queuedRun(db: Database): Promise<string> {
  const run = await new PostgresStore(db).createRun({
    id: crypto.randomUUID(),
    uploadType: "facilities",
    mode: "direct",
    fileName: null,
    contentType: null,
    actor: null,
    traceId: null,
    status: "queued",
  });
  return run.id;
}

/** `total` pseudo-random bytes delivered in pieces of `piece` bytes. */
function body(
  total: number,
  piece: number,
): { bytes: Uint8Array; stream: ReadableStream<Uint8Array> } {
  const bytes = new Uint8Array(total);
  for (let i = 0; i < total; i++) bytes[i] = (i * 7919 + (i >> 8)) & 0xff;
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= total) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + piece));
      offset += piece;
    },
  });
  return { bytes, stream };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function chunkSizes(db: Database, runId: string): Promise<number[]> {
  const { rows } = await sql<{ n: number }>`select length(bytes) as n from ingest_inputs
    where run_id = ${runId} order by seq`.execute(db.kysely);
  return rows.map((r) => Number(r.n));
}

describeMigratedDatabases(
  "writeInput() stores chunks of a fixed size and readInput() gives the same bytes back",
  async (db) => {
    const runId = await queuedRun(db);
    const { bytes, stream } = body(10_000, 777);
    const stored = await writeInput(db, runId, stream, { maxBytes: 20_000, chunkBytes: 4096 });
    assertEquals(stored, { bytes: 10_000, sha256: await sha256Hex(bytes) });
    assertEquals(await chunkSizes(db, runId), [4096, 4096, 1808]);
    const back = new Uint8Array(await new Response(readInput(db, runId, stored)).arrayBuffer());
    assertEquals(back.length, bytes.length);
    assert(back.every((b, i) => b === bytes[i]), "same bytes");
    await deleteInput(db, runId);
    assertEquals(await chunkSizes(db, runId), []);
  },
);

describeMigratedDatabases(
  "readInput() errors when the stored bytes no longer match",
  async (db) => {
    const runId = await queuedRun(db);
    const stored = await writeInput(db, runId, body(5000, 1000).stream, {
      maxBytes: 5000,
      chunkBytes: 2048,
    });
    await sql`update ingest_inputs set bytes = set_byte(bytes, 5, 0) where run_id = ${runId}
    and seq = 1`.execute(db.kysely);
    const changed = await assertRejects(() => new Response(readInput(db, runId, stored)).text());
    assert(changed instanceof IngestError && changed.type === "internal_error", String(changed));
    assertEquals((changed as IngestError).details.expected, stored);

    await sql`delete from ingest_inputs where run_id = ${runId} and seq = 2`.execute(db.kysely);
    const short = await assertRejects(() => new Response(readInput(db, runId, stored)).text());
    const found = (short as IngestError).details.found as { bytes: number; sha256: string };
    assertEquals(found.bytes, 4096, "the last chunk is missing");
    assert(found.sha256 !== stored.sha256);
  },
);

describeMigratedDatabases(
  "writeInput() fails with file_too_large past the limit, like the pipeline",
  async (db) => {
    const runId = await queuedRun(db);
    const err = await assertRejects(() =>
      writeInput(db, runId, body(10_000, 1000).stream, { maxBytes: 4999, chunkBytes: 2048 })
    );
    assert(err instanceof IngestError && err.type === "file_too_large", String(err));
    assertEquals(err.details, { maxBytes: 4999 });
    // Whatever was written stays until the caller drops it.
    assert((await chunkSizes(db, runId)).length <= 3);
    await deleteInput(db, runId);
    assertEquals(await chunkSizes(db, runId), []);
  },
);

describeMigratedDatabases(
  "writeInput() fails with cancelled when the request goes away",
  async (db) => {
    const runId = await queuedRun(db);
    const abort = new AbortController();
    const slow = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(100));
        abort.abort();
      },
    });
    const err = await assertRejects(() =>
      writeInput(db, runId, slow, { maxBytes: 10_000, signal: abort.signal })
    );
    assert(err instanceof IngestError && err.type === "cancelled", String(err));
  },
);
