/**
 * Streaming `multipart/form-data`: finds the file part of an upload and hands its content on as
 * a stream, so a large upload never sits in memory (`Request.formData()` would buffer it whole).
 * Only a window of one chunk plus the boundary's length is held at any time.
 *
 * @module
 */
import { IngestError } from "../core/errors.ts";

/** The uploaded file part. */
export interface MultipartFile {
  /** The part's content, streamed. */
  stream: ReadableStream<Uint8Array>;
  fileName: string | null;
  contentType: string | null;
  /** Text fields that came before the file part. */
  fields: Record<string, string>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 100;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads `body` up to the file part named `fieldName` and returns that part as a stream. */
export async function readMultipartFile(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  fieldName = "file",
): Promise<MultipartFile> {
  const boundary = contentType.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  if (!boundary) {
    await body.cancel().catch(() => {});
    throw new IngestError("bad_request", "The multipart request has no boundary", {});
  }
  const reader = new ByteReader(body.getReader());
  const delimiter = encoder.encode(`\r\n--${boundary[1] ?? boundary[2]}`);
  // The first boundary has no CRLF before it; prefixing one makes every boundary alike.
  reader.unshift(encoder.encode("\r\n"));
  const fields: Record<string, string> = {};
  try {
    if (!await reader.skipPast(delimiter, Infinity)) throw cutOff();
    while (true) {
      const tail = await reader.readBytes(2);
      if (tail === "--") break; // closing boundary: no more parts
      const headers = await reader.readUntil(encoder.encode("\r\n\r\n"), MAX_HEADER_BYTES);
      if (headers === null) throw new IngestError("bad_request", "Multipart part headers are too long or cut off", {});
      const part = parsePartHeaders(decoder.decode(headers));
      if (part.name === fieldName && part.fileName !== null) {
        const empty = part.fileName === "" && await reader.startsWith(delimiter);
        if (!empty) {
          return {
            stream: reader.streamUntil(delimiter),
            fileName: part.fileName,
            contentType: part.contentType,
            fields,
          };
        }
      }
      const value = await reader.readUntil(delimiter, MAX_FIELD_BYTES);
      if (value === null) throw cutOff();
      if (part.fileName === null && Object.keys(fields).length < MAX_FIELDS) {
        fields[part.name] = decoder.decode(value);
      }
    }
  } catch (err) {
    await reader.cancel();
    throw err;
  }
  await reader.cancel();
  throw new IngestError("bad_request", `No file was uploaded: expected a form field "${fieldName}"`, {
    fields: Object.keys(fields),
  });
}

function cutOff(): IngestError {
  return new IngestError("bad_request", "The upload was cut off before the end of the file", {});
}

function parsePartHeaders(text: string) {
  let name = "";
  let fileName: string | null = null;
  let contentType: string | null = null;
  for (const line of text.split("\r\n")) {
    const [key, ...rest] = line.split(":");
    const value = rest.join(":").trim();
    if (/^content-disposition$/i.test(key.trim())) {
      name = value.match(/\bname="([^"]*)"/i)?.[1] ?? "";
      const star = value.match(/\bfilename\*=UTF-8''([^;]+)/i)?.[1];
      const plain = value.match(/\bfilename="([^"]*)"/i)?.[1];
      const raw = star !== undefined ? safeDecode(star) : plain;
      if (raw !== undefined) fileName = raw.split(/[\\/]/).pop() ?? "";
    } else if (/^content-type$/i.test(key.trim())) {
      contentType = value;
    }
  }
  return { name, fileName, contentType };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A pull-based byte buffer over a stream reader, with boundary search across chunks. */
class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>) {
    this.#reader = reader;
  }

  unshift(bytes: Uint8Array): void {
    this.#buffer = concat(bytes, this.#buffer);
  }

  async #fill(): Promise<boolean> {
    if (this.#done) return false;
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#done = true;
      return false;
    }
    this.#buffer = concat(this.#buffer, value);
    return true;
  }

  async readBytes(n: number): Promise<string> {
    while (this.#buffer.length < n) if (!await this.#fill()) throw cutOff();
    const text = decoder.decode(this.#buffer.subarray(0, n));
    this.#buffer = this.#buffer.subarray(n);
    return text;
  }

  async startsWith(needle: Uint8Array): Promise<boolean> {
    while (this.#buffer.length < needle.length) if (!await this.#fill()) return false;
    return indexOf(this.#buffer, needle, 0) === 0;
  }

  /** Bytes up to `needle` (consumed, needle too), or null when absent within `max` bytes. */
  async readUntil(needle: Uint8Array, max: number): Promise<Uint8Array | null> {
    let from = 0;
    while (true) {
      const at = indexOf(this.#buffer, needle, from);
      if (at >= 0) {
        const found = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.subarray(at + needle.length);
        return found;
      }
      if (this.#buffer.length > max) return null;
      from = Math.max(0, this.#buffer.length - needle.length + 1);
      if (!await this.#fill()) return null;
    }
  }

  async skipPast(needle: Uint8Array, max: number): Promise<boolean> {
    return await this.readUntil(needle, max) !== null;
  }

  /** Streams bytes up to `needle`, then drains the rest of the body in the background. */
  streamUntil(needle: Uint8Array): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (true) {
          const at = indexOf(this.#buffer, needle, 0);
          if (at >= 0) {
            if (at > 0) controller.enqueue(this.#buffer.slice(0, at));
            this.#buffer = new Uint8Array(0);
            controller.close();
            this.#drain();
            return;
          }
          // Everything but a possible partial needle at the end is file content.
          const safe = this.#buffer.length - needle.length + 1;
          if (safe > 0) {
            controller.enqueue(this.#buffer.slice(0, safe));
            this.#buffer = this.#buffer.subarray(safe);
            return;
          }
          if (!await this.#fill()) return controller.error(cutOff());
        }
      },
      cancel: () => this.cancel(),
    });
  }

  #drain(): void {
    (async () => {
      while (await this.#fill()) this.#buffer = new Uint8Array(0);
    })().catch(() => {});
  }

  async cancel(): Promise<void> {
    this.#done = true;
    await this.#reader.cancel().catch(() => {});
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i >= 0 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
