/**
 * An upload body kept in a temporary file as the pipeline reads it, so that it can be read again
 * (`UploadSource.keepForRereading`): a first load that gives up reads the file again the usual
 * way, and a request body can be read only once. Writing it costs a few milliseconds per megabyte; the file
 * goes when the run is done with it.
 *
 * @module
 */
import type { UploadSource } from "../../core/ports.ts";
import { makeUploadTempFile } from "./upload_temp.ts";

/** A body that can be read again once read to its end; `close()` deletes the copy. */
export interface ReplayableBody {
  body: ReadableStream<Uint8Array>;
  /** Where the copy is kept. */
  path: string;
  reopen(): Promise<ReadableStream<Uint8Array>>;
  close(): Promise<void>;
}

/** Passes `body` through, keeping a copy of every chunk in a temporary file. */
export async function replayableBody(body: ReadableStream<Uint8Array>): Promise<ReplayableBody> {
  const path = await makeUploadTempFile(".body");
  const copy = await Deno.open(path, { write: true });
  let open = true;
  const closeCopy = () => {
    if (open) copy.close();
    open = false;
  };
  const kept = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        // Written in full before the pipeline sees the chunk: a read again never outruns it.
        for (let at = 0; at < chunk.length;) at += await copy.write(chunk.subarray(at));
        controller.enqueue(chunk);
      },
      flush: closeCopy,
    }),
  );
  return {
    body: kept,
    path,
    reopen: async () => {
      closeCopy();
      return (await Deno.open(path)).readable;
    },
    close: async () => {
      closeCopy();
      await Deno.remove(path).catch(() => {});
    },
  };
}

/**
 * The upload source of a request body: read as it arrives, or (once the pipeline asks to keep it)
 * through a temporary copy that later opens read; `close()` deletes the copy.
 */
export function requestBodySource(
  body: ReadableStream<Uint8Array>,
): UploadSource & { close(): Promise<void> } {
  let replay: ReplayableBody | null = null;
  let opened = false;
  return {
    async keepForRereading() {
      replay ??= await replayableBody(body);
      return true;
    },
    open() {
      if (!opened) {
        opened = true;
        return Promise.resolve(replay?.body ?? body);
      }
      if (!replay) throw new TypeError("A request body not kept can be read only once");
      return replay.reopen();
    },
    async close() {
      await replay?.close();
    },
  };
}
