/**
 * The interfaces core needs from whoever runs it, each shaped by the code that calls it. Core
 * declares them; hosts implement them (`host/deno/` for the server and the CLI).
 *
 * This module is browser compatible.
 *
 * @module
 */

// ── Runtime ports: what a host's runtime offers the pipeline ───────────────────────────────

/** Bytes that can be read at any offset. */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset` (fewer only at the end). */
  read(offset: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
  /** Releases the storage (deletes a spooled file). */
  close(): Promise<void>;
}

/**
 * Turns an upload's byte stream into a {@linkcode ByteSource}: a workbook needs random access, so
 * the host keeps it somewhere it can read ranges back from (a temporary file on a server).
 */
export type Spool = (stream: ReadableStream<Uint8Array>) => Promise<ByteSource>;

/** An incremental SHA-256: fed the bytes in order, then asked once for the digest. */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** The digest of everything fed, as lowercase hex. */
  hex(): string;
}
