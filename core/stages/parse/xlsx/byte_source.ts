/**
 * Random access to an uploaded file. A workbook is a ZIP whose directory sits at the end and
 * whose shared strings may come after the sheet, so it cannot be read front to back; the runtime
 * spools the upload (to a temporary file on the server) and the reader asks for byte ranges.
 *
 * This module is browser compatible.
 *
 * @module
 */

/** Bytes that can be read at any offset. */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset` (fewer only at the end). */
  read(offset: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
  /** Releases the storage (deletes a spooled file). */
  close(): Promise<void>;
}

/** Turns an upload's byte stream into a {@linkcode ByteSource} (the runtime's spool). */
export type Spool = (stream: ReadableStream<Uint8Array>) => Promise<ByteSource>;

/** A spool that keeps the bytes in memory: for tests and small files, never for the server. */
export const memorySpool: Spool = async (stream) => {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, (at += chunk.length) - chunk.length);
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    close: () => Promise.resolve(),
  };
};
