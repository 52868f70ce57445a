/**
 * Streaming `multipart/form-data`: finds the file part of an upload and hands its content on as
 * a stream, so a large upload never sits in memory (`Request.formData()` would buffer it whole).
 *
 * While the file streams, only a window of about one body chunk plus the boundary's length is
 * held; the boundary is found with Boyer–Moore–Horspool, which skips most bytes unseen, so the
 * parser runs at memory speed rather than at JavaScript byte-loop speed. Small text fields before
 * the file (e.g. `mode=staged`) are collected; parts after the file are read and discarded once
 * the file has ended, so the connection stays usable.
 *
 * Only web streams are used (no `Deno.*`, no `node:`), so the module runs anywhere.
 *
 * @example Read the file part of a form upload
 * ```ts
 * import { readMultipartFile } from "./multipart.ts";
 * const form = new FormData();
 * form.set("file", new File(["a,b\r\n1,2\r\n"], "data.csv", { type: "text/csv" }));
 * const req = new Request("http://localhost/", { method: "POST", body: form });
 * const file = await readMultipartFile(req.body!, req.headers.get("content-type")!);
 * if (file.fileName !== "data.csv") throw new Error("unexpected");
 * if (await new Response(file.stream).text() !== "a,b\r\n1,2\r\n") throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { IngestError } from "../core/errors.ts";

/** The uploaded file part: its content as a stream, its name and type, and the fields before it. */
export interface MultipartFile {
  /** The file part's content, streamed (never buffered whole). */
  stream: ReadableStream<Uint8Array>;
  /** The file name from `Content-Disposition` (`filename*=` wins over `filename=`), path stripped. */
  fileName: string | null;
  /** The part's own `Content-Type`, as sent. */
  contentType: string | null;
  /** Small text fields that came BEFORE the file part (e.g. mode=staged), name → value. */
  fields: Record<string, string>;
}

/** Longest header block of one part; real ones are a few hundred bytes. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Longest text field value collected before the file. */
const MAX_FIELD_BYTES = 64 * 1024;
/** Most parts (text fields or other files) accepted before the file part. */
const MAX_FIELDS = 100;
/** RFC 2046 allows 70 characters; a little slack for odd clients, but bounded. */
const MAX_BOUNDARY_LENGTH = 256;
/**
 * Most bytes read and discarded after the file part. Trailing fields are tiny; a client that keeps
 * sending after the file has ended gets its body cancelled instead of holding the request open.
 */
const MAX_DRAIN_BYTES = 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
const CRLF = encoder.encode("\r\n");
const DASH_DASH = encoder.encode("--");

/**
 * Reads the request body up to the first file part named `fieldName` and returns it as a stream;
 * text fields before it are collected (each capped at 64 KiB, at most 100 fields).
 */
export async function readMultipartFile(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  fieldName = "file",
): Promise<MultipartFile> {
  const boundary = boundaryOf(contentType);
  if (boundary === null) {
    await body.cancel().catch(() => {});
    throw new IngestError(
      "bad_request",
      "The multipart request has no valid boundary in its Content-Type",
      { contentType },
    );
  }
  // Every boundary but the first is preceded by CRLF; starting the window with a CRLF makes the
  // first one look like the others, so one search finds them all.
  const delimiter = new Finder(encoder.encode(`\r\n--${boundary}`));
  const window = new Window(body.getReader(), CRLF);
  const fields: Record<string, string> = {};
  let parts = 0;
  try {
    if (!await window.skipPast(delimiter)) throw cutOff();
    while (true) {
      if (!await window.fill(2)) throw cutOff();
      if (window.startsWith(DASH_DASH)) break; // the closing boundary: no more parts
      // The header block runs from the end of the boundary line (after any transport padding) to
      // the blank line; searching from the boundary line's own CRLF also finds an empty block.
      const block = await window.readUntil(HEADER_END, MAX_HEADER_BYTES);
      if (block === "eof") throw cutOff();
      if (block === "limit") {
        throw new IngestError(
          "bad_request",
          `The headers of a form part are longer than ${MAX_HEADER_BYTES / 1024} KiB`,
          { maxBytes: MAX_HEADER_BYTES },
        );
      }
      const part = parsePartHeaders(decoder.decode(block));
      if (part.name === fieldName) {
        // A file input left empty still sends its part, with no name and no content.
        if (!part.fileName && await window.fill(delimiter.length) && window.startsWith(delimiter)) {
          window.skip(delimiter.length);
          continue;
        }
        return {
          stream: window.streamUntil(delimiter),
          fileName: part.fileName || null,
          contentType: part.contentType,
          fields,
        };
      }
      if (++parts > MAX_FIELDS) {
        throw new IngestError(
          "bad_request",
          `The form has more than ${MAX_FIELDS} fields before the file`,
          { maxFields: MAX_FIELDS },
        );
      }
      if (part.fileName !== null) {
        // Another file input: skip its content without holding it.
        if (!await window.skipPast(delimiter)) throw cutOff();
        continue;
      }
      const value = await window.readUntil(delimiter, MAX_FIELD_BYTES);
      if (value === "eof") throw cutOff();
      if (value === "limit") {
        throw new IngestError(
          "bad_request",
          `The form field "${part.name}" is longer than ${MAX_FIELD_BYTES / 1024} KiB`,
          { field: part.name, maxBytes: MAX_FIELD_BYTES },
        );
      }
      // defineProperty, so a field named "__proto__" is stored rather than ignored.
      Object.defineProperty(fields, part.name, {
        value: decoder.decode(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  } catch (err) {
    await window.cancel(err);
    throw err;
  }
  await window.cancel();
  throw new IngestError(
    "bad_request",
    `No file was uploaded: expected a form field "${fieldName}"`,
    { field: fieldName, fields: Object.keys(fields) },
  );
}

function cutOff(): IngestError {
  return new IngestError(
    "bad_request",
    "The upload was cut off before the end of the multipart body",
    {},
  );
}

/** The `boundary` parameter of a multipart Content-Type, quoted or not; null when unusable. */
function boundaryOf(contentType: string): string | null {
  const match = contentType.match(/;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i);
  const boundary = match?.[1]?.replace(/\\(.)/g, "$1") ?? match?.[2];
  if (!boundary || boundary.length > MAX_BOUNDARY_LENGTH) return null;
  return boundary;
}

/** What a part's headers say about it. */
interface PartHeaders {
  name: string;
  /** null when the part has no file name at all (a text field). */
  fileName: string | null;
  contentType: string | null;
}

/** Parses a part's header block (its first line is the rest of the boundary line). */
function parsePartHeaders(block: string): PartHeaders {
  const part: PartHeaders = { name: "", fileName: null, contentType: null };
  for (const line of block.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-type") {
      part.contentType = value || null;
    } else if (key === "content-disposition") {
      const params = dispositionParams(value);
      part.name = unescapeFormName(params.get("name") ?? "");
      const extended = params.get("filename*");
      const plain = params.get("filename");
      const fileName = extended !== undefined
        ? decodeExtended(extended)
        : plain !== undefined
        ? unescapeFormName(plain)
        : null;
      // Old browsers and some clients send the full local path; only the last segment is a name.
      part.fileName = fileName === null ? null : fileName.slice(
        Math.max(fileName.lastIndexOf("/"), fileName.lastIndexOf("\\")) + 1,
      );
    }
  }
  return part;
}

/** The parameters of a `Content-Disposition` value (`form-data; name="a"; filename="b"`). */
function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  // Quoted values may hold `;`, so split by a pattern rather than by the character.
  const param = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.matchAll(param)) {
    const key = match[1].toLowerCase();
    // Only `\"` is an escape: browsers send Windows paths with bare backslashes.
    const raw = match[2] !== undefined ? match[2].replace(/\\"/g, '"') : match[3].trim();
    if (!params.has(key)) params.set(key, raw);
  }
  return params;
}

/** Undoes the escaping browsers apply to names and file names (HTML's form-data encoding). */
function unescapeFormName(text: string): string {
  return text.replace(/%(22|0D|0A)/gi, (code) => String.fromCharCode(parseInt(code.slice(1), 16)));
}

/** Decodes an RFC 5987 value such as `UTF-8''na%C3%AFve.csv` (ISO-8859-1 also understood). */
function decodeExtended(text: string): string {
  const match = text.match(/^([^']*)'[^']*'(.*)$/);
  if (!match) return text;
  const [, charset, encoded] = match;
  try {
    if (/^utf-8$/i.test(charset)) return decodeURIComponent(encoded);
    return encoded.replace(/%([0-9a-f]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  } catch {
    return encoded;
  }
}

/** Finds one byte sequence in byte arrays with Boyer–Moore–Horspool. */
class Finder {
  readonly bytes: Uint8Array;
  readonly length: number;
  /** How far the search may jump when a window ends in a given byte. */
  readonly #shift = new Uint32Array(256);

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.length = bytes.length;
    this.#shift.fill(bytes.length);
    for (let i = 0; i < bytes.length - 1; i++) this.#shift[bytes[i]] = bytes.length - 1 - i;
  }

  /** The first index at or after `from` where the sequence starts in `hay`, or -1. */
  find(hay: Uint8Array, from: number): number {
    const needle = this.bytes;
    const shift = this.#shift;
    const last = this.length - 1;
    const lastByte = needle[last];
    const end = hay.length - this.length;
    for (let i = from; i <= end; i += shift[hay[i + last]]) {
      if (hay[i + last] !== lastByte) continue;
      let j = last - 1;
      while (j >= 0 && hay[i + j] === needle[j]) j--;
      if (j < 0) return i;
    }
    return -1;
  }

  /**
   * How many bytes at the end of `hay` could be the start of the sequence, continued in the next
   * chunk (call only after `find` failed). Usually 0, so most chunks pass on without a copy.
   */
  partialAtEnd(hay: Uint8Array): number {
    const needle = this.bytes;
    for (
      let i = hay.indexOf(needle[0], Math.max(0, hay.length - this.length + 1));
      i >= 0;
      i = hay.indexOf(needle[0], i + 1)
    ) {
      let j = 1;
      while (i + j < hay.length && hay[i + j] === needle[j]) j++;
      if (i + j === hay.length) return j;
    }
    return 0;
  }
}

/** The blank line that ends a part's header block. */
const HEADER_END = new Finder(encoder.encode("\r\n\r\n"));

/**
 * The unread bytes of the body, as one contiguous array so a boundary can be found even when it
 * straddles chunks. It grows only while a bounded header or field is read; while the file streams
 * it holds at most one chunk plus a partial boundary.
 */
class Window {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #bytes: Uint8Array;
  /** Whether #bytes lies in a buffer this class allocated, so appending in place is safe. */
  #owned = false;
  #ended = false;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, initial: Uint8Array) {
    this.#reader = reader;
    this.#bytes = initial;
  }

  /** Reads one more chunk into the window; false once the body has ended. */
  async #pull(): Promise<boolean> {
    while (!this.#ended) {
      const { done, value } = await this.#reader.read();
      if (done) {
        this.#ended = true;
        break;
      }
      if (value.length === 0) continue;
      this.#append(value);
      return true;
    }
    return false;
  }

  #append(chunk: Uint8Array): void {
    const bytes = this.#bytes;
    if (bytes.length === 0) {
      // The common case while streaming: adopt the chunk as it is, without a copy.
      this.#bytes = chunk;
      this.#owned = false;
      return;
    }
    const size = bytes.length + chunk.length;
    if (this.#owned && bytes.byteOffset + size <= bytes.buffer.byteLength) {
      // Room left in our own buffer: nothing else refers to the bytes past the window's end.
      const grown = new Uint8Array(bytes.buffer, bytes.byteOffset, size);
      grown.set(chunk, bytes.length);
      this.#bytes = grown;
      return;
    }
    // Doubling keeps many small chunks (down to 1 byte) linear rather than quadratic.
    const grown = new Uint8Array(Math.max(size * 2, 4096));
    grown.set(bytes);
    grown.set(chunk, bytes.length);
    this.#bytes = grown.subarray(0, size);
    this.#owned = true;
  }

  /** Makes at least `n` bytes available; false when the body ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.#bytes.length < n) if (!await this.#pull()) return false;
    return true;
  }

  /** Whether the window starts with `prefix` (after `fill`), or with all of a Finder's bytes. */
  startsWith(prefix: Uint8Array | Finder): boolean {
    const bytes = prefix instanceof Finder ? prefix.bytes : prefix;
    if (this.#bytes.length < bytes.length) return false;
    for (let i = 0; i < bytes.length; i++) if (this.#bytes[i] !== bytes[i]) return false;
    return true;
  }

  /** Drops `n` bytes (after `fill`). */
  skip(n: number): void {
    this.#bytes = this.#bytes.subarray(n);
  }

  /**
   * The bytes before the next `needle`, consuming both; "limit" when more than `max` bytes come
   * first, "eof" when the body ends first. The result is only valid until the next call.
   */
  async readUntil(needle: Finder, max: number): Promise<Uint8Array | "eof" | "limit"> {
    let from = 0;
    while (true) {
      const bytes = this.#bytes;
      const at = needle.find(bytes, from);
      if (at > max) return "limit";
      if (at >= 0) {
        this.#bytes = bytes.subarray(at + needle.length);
        return bytes.subarray(0, at);
      }
      // Resume where a match could still start, so no byte is searched twice.
      from = Math.max(0, bytes.length - needle.length + 1);
      if (from > max) return "limit";
      if (!await this.#pull()) return "eof";
    }
  }

  /** Discards everything up to and including the next `needle`; false when the body ends first. */
  async skipPast(needle: Finder): Promise<boolean> {
    while (true) {
      const bytes = this.#bytes;
      const at = needle.find(bytes, 0);
      if (at >= 0) {
        this.#bytes = bytes.subarray(at + needle.length);
        return true;
      }
      this.#bytes = bytes.slice(bytes.length - needle.partialAtEnd(bytes));
      this.#owned = false;
      if (!await this.#pull()) return false;
    }
  }

  /**
   * Streams the bytes before the next `needle` (which is not part of the stream). When the needle
   * is found the stream closes and the rest of the body is drained in the background; when the
   * body ends first the stream errors with "cut off". Pulled lazily (high water mark 0), so the
   * body is read only as fast as the consumer reads.
   */
  streamUntil(needle: Finder): ReadableStream<Uint8Array> {
    // Cancelled while a read was pending, the stream is closed: enqueueing would throw.
    let cancelled = false;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        // Each pull must enqueue, close or error: a pull that does none of these is not repeated.
        while (true) {
          const bytes = this.#bytes;
          const at = needle.find(bytes, 0);
          if (at >= 0) {
            this.#bytes = EMPTY;
            if (at > 0) controller.enqueue(bytes.subarray(0, at));
            controller.close();
            this.#drain();
            return;
          }
          const keep = needle.partialAtEnd(bytes);
          if (bytes.length > keep) {
            // Copy the kept tail (at most a boundary's length) so the consumer owns what it gets
            // and may even transfer it without breaking the window.
            this.#bytes = keep === 0 ? EMPTY : bytes.slice(bytes.length - keep);
            this.#owned = false;
            controller.enqueue(bytes.subarray(0, bytes.length - keep));
            return;
          }
          const more = await this.#pull();
          if (cancelled) return;
          if (!more) {
            controller.error(cutOff());
            return;
          }
        }
      },
      cancel: (reason) => {
        cancelled = true;
        return this.cancel(reason);
      },
    }, { highWaterMark: 0 });
  }

  /** Reads the parts after the file to the end, discarding them, so the connection stays clean. */
  #drain(): void {
    (async () => {
      let drained = 0;
      while (!this.#ended) {
        const { done, value } = await this.#reader.read();
        if (done) return;
        drained += value.length;
        if (drained > MAX_DRAIN_BYTES) return await this.cancel();
      }
    })().catch(() => {}); // The file is complete; a body failing afterwards changes nothing.
  }

  /** Cancels the body (when giving up, or when the file stream is cancelled). */
  async cancel(reason?: unknown): Promise<void> {
    this.#ended = true;
    this.#bytes = EMPTY;
    await this.#reader.cancel(reason).catch(() => {});
  }
}
