/**
 * The stored upload of a queued run, in `ingest_inputs(run_id, seq, bytes)`: written in chunks of
 * 1 MiB as the request body arrives, read back one chunk at a time by the worker, so neither side
 * holds more than a chunk of the file. The byte count and SHA-256 taken while storing are
 * checked again while reading: a stored upload that no longer matches fails its run rather than
 * importing something else.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { Database } from "../../db/database.ts";
import { IngestError } from "../../core/errors.ts";
import type { UploadSource } from "../../core/ports.ts";
import { receive } from "../../core/stages/receive.ts";

/** Bytes per stored chunk (one row of `ingest_inputs`). */
export const INPUT_CHUNK_BYTES = 1024 * 1024;

/** What was stored: size and SHA-256 (lowercase hex) of the whole upload. */
export interface StoredInput {
  bytes: number;
  sha256: string;
}

/** Limits and hooks of {@linkcode writeInput}. */
export interface WriteInputOptions {
  /** Largest accepted upload; one byte more fails with `file_too_large`, as in the pipeline. */
  maxBytes: number;
  /** Aborting fails with `cancelled` (or the reason, when it is an IngestError). */
  signal?: AbortSignal;
  /** Called with the running byte count after every chunk read. */
  onProgress?: (bytes: number) => void;
  /** Bytes per stored row. @default INPUT_CHUNK_BYTES */
  chunkBytes?: number;
}

/**
 * Stores `body` as the upload of run `runId`; returns its size and hash. On failure the chunks
 * written so far stay until {@linkcode deleteInput}.
 */
export async function writeInput(
  db: Database,
  runId: string,
  body: ReadableStream<Uint8Array>,
  options: WriteInputOptions,
): Promise<StoredInput> {
  const chunkBytes = options.chunkBytes ?? INPUT_CHUNK_BYTES;
  const { stream, stats } = receive(body, {
    maxBytes: options.maxBytes,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  let buffer = new Uint8Array(chunkBytes);
  let filled = 0;
  let seq = 0;
  const flush = async () => {
    if (filled === 0) return;
    const bytes = filled === chunkBytes ? buffer : buffer.slice(0, filled);
    await db.kysely.insertInto("ingest_inputs").values({ run_id: runId, seq, bytes }).execute();
    seq++;
    // The driver may still hold the inserted array; the next chunk gets a buffer of its own.
    buffer = new Uint8Array(chunkBytes);
    filled = 0;
  };
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let offset = 0; offset < value.length;) {
        const n = Math.min(chunkBytes - filled, value.length - offset);
        buffer.set(value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === chunkBytes) await flush();
      }
    }
    await flush();
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
  return await stats;
}

/** Bytes per piece handed to the pipeline; the event loop gets a turn between pieces. */
const PIECE_BYTES = 64 * 1024;

/** The stored upload of run `runId` as an upload source: it can be read as often as needed. */
export function storedInputSource(
  db: Database,
  runId: string,
  expected: StoredInput,
): UploadSource {
  return {
    open: () => Promise.resolve(readInput(db, runId, expected)),
    keepForRereading: () => Promise.resolve(true),
  };
}

/**
 * Streams the stored upload of run `runId` back, a chunk per query in pieces of 64 KiB; errors
 * the stream with `internal_error` when its size or SHA-256 differ from `expected`.
 *
 * Each piece waits for a turn of the event loop: on PGlite every query resolves without one, so
 * a run fed from the database would otherwise keep timers (lease heartbeats) and HTTP requests
 * waiting until it ends.
 */
export function readInput(
  db: Database,
  runId: string,
  expected: StoredInput,
): ReadableStream<Uint8Array> {
  // A generator stream (high-water mark 0): a reader that cancels mid-query ends it at the next
  // yield rather than having the query's answer enqueued into a closed stream.
  return ReadableStream.from(async function* () {
    const hasher = sha256.create();
    let bytes = 0;
    for (let seq = 0;; seq++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const row = await db.kysely.selectFrom("ingest_inputs").select("bytes")
        .where("run_id", "=", runId).where("seq", "=", seq).executeTakeFirst();
      if (!row) break;
      const chunk = row.bytes as Uint8Array;
      bytes += chunk.byteLength;
      hasher.update(chunk);
      for (let offset = 0; offset < chunk.byteLength; offset += PIECE_BYTES) {
        if (offset > 0) await new Promise((resolve) => setTimeout(resolve, 0));
        yield chunk.subarray(offset, offset + PIECE_BYTES);
      }
    }
    const sha = bytesToHex(hasher.digest());
    if (bytes !== expected.bytes || sha !== expected.sha256) {
      throw new IngestError(
        "internal_error",
        `The stored upload of run "${runId}" does not match what was received`,
        { runId, expected, found: { bytes, sha256: sha } },
      );
    }
  }());
}

/** Deletes the stored upload of run `runId` (nothing when there is none). */
export async function deleteInput(db: Database, runId: string): Promise<void> {
  await db.kysely.deleteFrom("ingest_inputs").where("run_id", "=", runId).execute();
}
