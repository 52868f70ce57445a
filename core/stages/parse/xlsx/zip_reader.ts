/**
 * Just enough ZIP to read a workbook: the central directory, and one entry at a time as a stream
 * (stored or deflated, inflated by the platform's `DecompressionStream`). The caller counts every
 * inflated chunk as it streams, so a zip bomb stops at a limit instead of filling memory, and
 * chooses how much compressed data is inflated at once (deflate expands up to 1,032×, so that
 * bounds the largest inflated chunk).
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "../../../errors.ts";
import type { ByteSource } from "../../../ports.ts";

/** One file inside the archive. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const CHUNK = 64 * 1024;
const utf8 = new TextDecoder();

/**
 * Reads the archive's directory; throws `unsupported_file_type` when it is not a ZIP, and
 * `limit_exceeded` when the directory is larger than `maxBytes`.
 */
export async function readZipDirectory(
  source: ByteSource,
  maxBytes = Infinity,
): Promise<Map<string, ZipEntry>> {
  // The end record is 22 bytes plus a comment of up to 64 KiB.
  const tailLength = Math.min(source.size, 22 + 0xffff);
  const tail = await source.read(source.size - tailLength, tailLength);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notZip("it has no ZIP directory");
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (dirOffset === 0xffffffff || count === 0xffff) {
    throw notZip("ZIP64 archives are not supported");
  }
  if (dirSize > maxBytes) {
    throw new IngestError(
      "limit_exceeded",
      `The workbook's ZIP directory takes ${dirSize} bytes, more than ${maxBytes}`,
      { limit: "maxWorkbookInfoBytes", max: maxBytes },
    );
  }
  const dir = await source.read(dirOffset, dirSize);
  const d = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const entries = new Map<string, ZipEntry>();
  for (let p = 0, n = 0; n < count; n++) {
    if (p + 46 > dir.length || d.getUint32(p, true) !== CENTRAL_SIGNATURE) {
      throw notZip("its ZIP directory is damaged");
    }
    const nameLength = d.getUint16(p + 28, true);
    const extraLength = d.getUint16(p + 30, true);
    const commentLength = d.getUint16(p + 32, true);
    const name = utf8.decode(dir.subarray(p + 46, p + 46 + nameLength));
    entries.set(name, {
      name,
      method: d.getUint16(p + 10, true),
      compressedSize: d.getUint32(p + 20, true),
      size: d.getUint32(p + 24, true),
      localHeaderOffset: d.getUint32(p + 42, true),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Streams one entry's content, inflated, calling `spend` with the size of every inflated chunk
 * before passing it on (it throws to stop a zip bomb: the declared size is not trusted), reading
 * `chunkBytes` compressed bytes at a time.
 */
export async function openEntry(
  source: ByteSource,
  entry: ZipEntry,
  spend: (bytes: number) => void,
  chunkBytes = CHUNK,
): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
  const header = await source.read(entry.localHeaderOffset, 30);
  const h = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < 30 || h.getUint32(0, true) !== LOCAL_SIGNATURE) {
    throw notZip(`the entry ${entry.name} is damaged`);
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw notZip(`the entry ${entry.name} uses compression method ${entry.method}`);
  }
  const start = entry.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  const end = start + entry.compressedSize;
  // A generator stream: cancelled mid-read (the reader stopped), it ends at its next yield
  // instead of enqueueing into a closed stream.
  const raw = ReadableStream.from(async function* () {
    for (let offset = start; offset < end;) {
      const chunk = await source.read(offset, Math.min(chunkBytes, end - offset));
      if (chunk.length === 0) throw notZip("it ends early");
      offset += chunk.length;
      yield chunk.slice();
    }
  }());
  const inflated = entry.method === 8
    ? raw.pipeThrough(new DecompressionStream("deflate-raw"))
    : raw;
  return inflated.pipeThrough(
    new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
      transform(chunk, controller) {
        spend(chunk.length);
        controller.enqueue(chunk);
      },
    }),
  );
}

function notZip(why: string): IngestError {
  return new IngestError(
    "unsupported_file_type",
    `The file cannot be read as an Excel workbook: ${why}`,
    { detected: "not-xlsx" },
  );
}
