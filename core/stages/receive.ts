/**
 * Stage 1 of the pipeline: reads the upload's bytes once, counting and hashing them on the way
 * and stopping at the size limit.
 *
 * SHA-256 is incremental (`crypto.subtle.digest` cannot hash a stream). The portable default is
 * `@noble/hashes`, pure JavaScript, about 200 MB/s; a host whose runtime hashes natively passes its
 * own (the server's and the CLI's: `server/native_sha256.ts`, 8–10× faster), since on the main
 * thread hashing was the largest single cost after validation (see docs/performance.md).
 *
 * This module is browser compatible.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { IngestError } from "../errors.ts";

/** What was received: the size and the SHA-256 of the whole file. */
export interface ReceiveStats {
  bytes: number;
  /** Lowercase hex. */
  sha256: string;
}

/** An incremental SHA-256: fed the bytes in order, then asked once for the digest. */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** The digest of everything fed, as lowercase hex. */
  hex(): string;
}

/** Makes the portable {@linkcode Sha256} (`@noble/hashes`), which runs anywhere. */
export function portableSha256(): Sha256 {
  const hasher = sha256.create();
  return {
    update: (bytes) => void hasher.update(bytes),
    hex: () => bytesToHex(hasher.digest()),
  };
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
}

/**
 * Passes `body` through, counting bytes, hashing them and enforcing `maxBytes`.
 *
 * The returned stream is pull-based: the body is read only as fast as the next stage reads.
 * Past `maxBytes`, on abort, or when the consumer cancels, the body is cancelled and `stats`
 * rejects with the same error.
 *
 * @param body The uploaded bytes.
 * @param options The size limit, a progress callback and an abort signal.
 * @returns The bytes to read on, and the stats, which settle once the stream is fully read.
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
): { stream: ReadableStream<Uint8Array>; stats: Promise<ReceiveStats> } {
  const { maxBytes, onProgress, signal } = options;
  const hasher = (options.sha256 ?? portableSha256)();
  const reader = body.getReader();
  let bytes = 0;
  let settled = false;
  let resolveStats!: (stats: ReceiveStats) => void;
  let rejectStats!: (reason: unknown) => void;
  const stats = new Promise<ReceiveStats>((resolve, reject) => {
    resolveStats = resolve;
    rejectStats = reject;
  });
  // The stream carries every failure too; a caller who only reads the stream must not get an
  // unhandled rejection from stats.
  stats.catch(() => {});
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
    controller.error(error);
    reader.cancel(error).catch(() => {});
  };

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
        // Aborted or failed while the read was pending.
        if (settled) return;
        if (result.done) {
          finish();
          controller.close();
          resolveStats({ bytes, sha256: hasher.hex() });
          return;
        }
        const chunk = result.value;
        if (chunk.byteLength === 0) continue;
        bytes += chunk.byteLength;
        if (bytes > maxBytes) {
          fail(
            new IngestError(
              "file_too_large",
              `The file is larger than the limit of ${maxBytes} bytes`,
              { maxBytes },
            ),
          );
          return;
        }
        hasher.update(chunk);
        onProgress?.(bytes);
        controller.enqueue(chunk);
        return;
      }
    },
    cancel(reason) {
      if (settled) return;
      finish();
      rejectStats(
        reason instanceof Error
          ? reason
          : new IngestError("cancelled", "Reading the upload was cancelled", {}, { cause: reason }),
      );
      return reader.cancel(reason);
    },
  });
  return { stream, stats };
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
