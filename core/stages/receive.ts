/**
 * Stage `receive`: reads the upload's bytes once, counting and hashing them on the way
 * and stopping at the size limit.
 *
 * SHA-256 is incremental (`crypto.subtle.digest` cannot hash a stream). The portable default is
 * `@noble/hashes`, pure JavaScript, about 200 MB/s; a host whose runtime hashes natively passes its
 * own (the server's and the CLI's: `host/deno/native_sha256.ts`, 8–10× faster), since on the main
 * thread hashing was the largest single cost after validation (see docs/performance.md).
 *
 * This module is browser compatible.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { IngestError } from "../errors.ts";
import type { Sha256 } from "../ports.ts";
import { defineStageSpan, type StageSpans } from "../telemetry.ts";

/** What was received: the size and the SHA-256 of the whole file. */
export interface ReceiveStats {
  bytes: number;
  /** Lowercase hex. */
  sha256: string;
}

/** Makes the portable {@linkcode Sha256} (`@noble/hashes`), which runs anywhere. */
export function portableSha256(): Sha256 {
  const hasher = sha256.create();
  return {
    update: (bytes) => void hasher.update(bytes),
    hex: () => bytesToHex(hasher.digest()),
  };
}

/**
 * What was received of an upload, for its audit record: every byte (`complete`), or only the
 * first `bytes` when the size limit, an abort or a failed read stopped it; `sha256` is of the
 * bytes counted either way.
 */
export interface Received {
  bytes: number;
  /** Lowercase hex. */
  sha256: string;
  complete: boolean;
}

/** Limits and hooks of {@linkcode receive}. */
export interface ReceiveOptions {
  /** Largest accepted file; one byte more errors the stream with `file_too_large`. */
  maxBytes: number;
  /** Called with the running byte count after every chunk. */
  onProgress?: (bytes: number) => void;
  /**
   * Aborting errors the stream with `cancelled` (or with the reason, if it is an IngestError), as
   * does a body that fails to read.
   */
  signal?: AbortSignal;
  /** Makes the hasher; {@linkcode portableSha256} when absent. */
  sha256?: () => Sha256;
  /**
   * When the consumer cancels the stream (it stopped reading: a bad header, say), read the rest
   * of the body anyway, counting and hashing it up to `maxBytes`, so that `received` tells the
   * whole file's size and hash. Gives up (incomplete) when no bytes arrive for `drainIdleMs`.
   * @default false
   */
  drain?: boolean;
  /** How long a drain waits for the next chunk. @default 10000 */
  drainIdleMs?: number;
  /** The run's stage spans: `ingest.receive` opens as reading starts. */
  spans?: StageSpans;
}

/** The `ingest.receive` span: open while the body is read, closed with its size. */
export const receiveSpan = defineStageSpan("receive", (stats: { bytes: number }) => ({
  "ingest.bytes": stats.bytes,
}));

/**
 * Passes `body` through, counting bytes, hashing them and enforcing `maxBytes`.
 *
 * The returned stream is pull-based: the body is read only as fast as the next stage reads.
 * Past `maxBytes`, on abort, or when the consumer cancels, the body is cancelled and `stats`
 * rejects with the same error (with `drain`, a cancel reads the rest of the body first).
 * `received` settles, never rejecting, once the body is read to its end or reading it stopped.
 *
 * @param body The uploaded bytes.
 * @param options The size limit, a progress callback and an abort signal.
 * @returns The bytes to read on, the stats, which settle once the stream is fully read, and
 * what was received, for the audit.
 *
 * @example Count and hash a small body
 * ```ts
 * import { receive } from "./receive.ts";
 * const { stream, stats } = receive(new Blob(["abc"]).stream(), { maxBytes: 10 });
 * await new Response(stream).arrayBuffer();
 * const { bytes, sha256 } = await stats;
 * if (bytes !== 3 || !sha256.startsWith("ba7816bf")) throw new Error("unexpected");
 * ```
 */
export function receive(
  body: ReadableStream<Uint8Array>,
  options: ReceiveOptions,
): {
  stream: ReadableStream<Uint8Array>;
  stats: Promise<ReceiveStats>;
  received: Promise<Received>;
  /** Stops reading as a cancel of the stream does (draining first with `drain`). */
  stop: (reason?: unknown) => void;
} {
  const { maxBytes, onProgress, signal } = options;
  if (options.spans) receiveSpan.open(options.spans);
  const hasher = (options.sha256 ?? portableSha256)();
  let digest: string | undefined;
  const hex = () => digest ??= hasher.hex();
  const reader = body.getReader();
  let bytes = 0;
  let settled = false;
  let draining = false;
  let resolveStats!: (stats: ReceiveStats) => void;
  let rejectStats!: (reason: unknown) => void;
  const stats = new Promise<ReceiveStats>((resolve, reject) => {
    resolveStats = resolve;
    rejectStats = reject;
  });
  // The stream carries every failure too; a caller who only reads the stream must not get an
  // unhandled rejection from stats.
  stats.catch(() => {});
  let resolveReceived!: (received: Received) => void;
  const received = new Promise<Received>((resolve) => resolveReceived = resolve);
  const record = (complete: boolean) => resolveReceived({ bytes, sha256: hex(), complete });
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const onAbort = () => fail(abortError(signal!));
  const finish = () => {
    settled = true;
    signal?.removeEventListener("abort", onAbort);
  };
  const fail = (error: unknown) => {
    if (settled) return;
    finish();
    rejectStats(error);
    record(false);
    controller.error(error);
    reader.cancel(error).catch(() => {});
  };
  const tooLarge = () =>
    new IngestError(
      "file_too_large",
      `The file is larger than the limit of ${maxBytes} bytes`,
      { maxBytes },
    );
  // Counted and hashed together, so a record of part of the file hashes what it counts.
  const take = (chunk: Uint8Array) => {
    bytes += chunk.byteLength;
    hasher.update(chunk);
  };

  /** Reads the rest of the body after the consumer stopped, for the record. */
  const drain = async (reason: unknown) => {
    const idleMs = options.drainIdleMs ?? 10_000;
    let complete = false;
    try {
      while (!signal?.aborted) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const idle = new Promise<null>((resolve) => timer = setTimeout(resolve, idleMs, null));
        const result = await Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
        if (result === null) break;
        if (result.done) {
          complete = true;
          break;
        }
        take(result.value);
        if (bytes > maxBytes) break;
      }
    } catch {
      // The client went away: what arrived is what was received.
    }
    record(complete);
    rejectStats(reason);
    if (!complete) reader.cancel(reason).catch(() => {});
  };

  /** The consumer stopped reading (or the caller stops it, even while the stream is locked). */
  function stop(reason?: unknown): Promise<void> | undefined {
    if (settled) return;
    finish();
    const error = reason instanceof Error
      ? reason
      : new IngestError("cancelled", "Reading the upload was cancelled", {}, { cause: reason });
    if (options.drain) {
      draining = true;
      void drain(error);
      return;
    }
    rejectStats(error);
    record(false);
    return reader.cancel(reason);
  }

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (signal?.aborted) fail(abortError(signal));
      else signal?.addEventListener("abort", onAbort, { once: true });
    },
    async pull() {
      // Loops past empty chunks: a pull that enqueues nothing is not called again.
      while (true) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (err) {
          fail(readError(err, signal));
          return;
        }
        // Aborted or failed while the read was pending; a chunk read as the drain began is its.
        if (settled) {
          if (draining && !result.done) take(result.value);
          return;
        }
        if (result.done) {
          finish();
          controller.close();
          resolveStats({ bytes, sha256: hex() });
          record(true);
          return;
        }
        const chunk = result.value;
        if (chunk.byteLength === 0) continue;
        take(chunk);
        if (bytes > maxBytes) {
          fail(tooLarge());
          return;
        }
        onProgress?.(bytes);
        controller.enqueue(chunk);
        return;
      }
    },
    cancel: stop,
  });
  return { stream, stats, received, stop };
}

/**
 * A body that fails to read has lost its client (the connection closed mid-upload), which often
 * shows here before the abort signal fires: both are `cancelled`. Typed errors of the layers
 * below (a multipart body cut off, say) keep their own type.
 */
function readError(err: unknown, signal: AbortSignal | undefined): IngestError {
  if (err instanceof IngestError) return err;
  if (signal?.aborted) return abortError(signal);
  return new IngestError(
    "cancelled",
    "The upload was cut off: the connection closed before the whole file arrived",
    {},
    { cause: err },
  );
}

function abortError(signal: AbortSignal): IngestError {
  if (signal.reason instanceof IngestError) return signal.reason;
  return new IngestError("cancelled", "The upload was cancelled", {}, { cause: signal.reason });
}
