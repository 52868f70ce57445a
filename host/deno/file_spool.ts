/**
 * The server's {@linkcode Spool}: keeps an upload that needs random access (a workbook) in a
 * temporary file (in the process's own directory, `upload_temp.ts`) rather than in memory, and
 * deletes it when the run is done with it.
 *
 * @module
 */
import type { ByteSource, Spool } from "../../core/ports.ts";
import { makeUploadTempFile } from "./upload_temp.ts";

/** Writes the stream to a temporary file and reads ranges back from it. */
export const fileSpool: Spool = async (stream) => {
  const path = await makeUploadTempFile(".spool");
  try {
    await stream.pipeTo((await Deno.open(path, { write: true })).writable);
    const file = await Deno.open(path, { read: true });
    const { size } = await file.stat();
    const source: ByteSource = {
      size,
      async read(offset, length) {
        const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        await file.seek(offset, Deno.SeekMode.Start);
        let filled = 0;
        while (filled < buffer.length) {
          const n = await file.read(buffer.subarray(filled));
          if (n === null) break;
          filled += n;
        }
        return buffer.subarray(0, filled);
      },
      async close() {
        file.close();
        await Deno.remove(path).catch(() => {});
      },
    };
    return source;
  } catch (err) {
    await Deno.remove(path).catch(() => {});
    throw err;
  }
};
