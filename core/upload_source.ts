/**
 * Upload sources over streams, for hosts and tests whose upload is a stream in hand.
 *
 * @module
 */
import type { UploadSource } from "./ports.ts";

/**
 * A source that opens `stream` (once), and with `reopen` can be read again: `reopen` then gives
 * the upload from its start for every later `open()`.
 */
export function streamSource(
  stream: ReadableStream<Uint8Array>,
  reopen?: () => Promise<ReadableStream<Uint8Array>>,
): UploadSource {
  let opened = false;
  return {
    open() {
      if (!opened) {
        opened = true;
        return Promise.resolve(stream);
      }
      if (!reopen) throw new TypeError("This upload can be read only once");
      return reopen();
    },
    ...(reopen ? { keepForRereading: () => Promise.resolve(true) } : {}),
  };
}
