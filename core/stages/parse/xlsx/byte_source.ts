/**
 * Random access to an uploaded file. A workbook is a ZIP whose directory sits at the end and
 * whose shared strings may come after the sheet, so it cannot be read front to back; the runtime
 * spools the upload (to a temporary file on the server) and the reader asks for byte ranges; the
 * ports, `ByteSource` and `Spool`, are in `core/ports.ts`.
 *
 * This module is browser compatible.
 *
 * @module
 */
import type { Spool } from "../../../ports.ts";

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
