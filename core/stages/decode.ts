/**
 * Stage `decode`: bytes → text, strictly.
 *
 * - UTF-8 by default, strict: the first invalid byte is reported with its byte offset and line,
 *   since `TextDecoder` with `fatal` only says that the input is invalid, not where.
 * - A UTF-8 BOM is stripped; a UTF-16 LE/BE BOM switches to UTF-16 (Excel's "Unicode text").
 *   A BOM wins over a declared encoding. Unpaired UTF-16 surrogates become U+FFFD.
 * - "latin1" and "windows-1252" decode as windows-1252, as the WHATWG Encoding Standard (and so
 *   every browser) does: files labelled latin1 are windows-1252 in practice, and the C1
 *   controls that true ISO-8859-1 would give for 0x80–0x9F are never what was meant.
 * - Files that are not text are refused before decoding: known signatures (ZIP/XLSX, gzip,
 *   PDF, …) with `unsupported_file_type`, NUL bytes anywhere and control-byte soup at the start
 *   with `parse_error`.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import { binaryOffset, sniffSignature } from "./decode/sniff.ts";
import { defineStageSpan, type StageSpans } from "../telemetry.ts";

/** Encodings a caller may declare. */
export type Encoding = "utf-8" | "latin1" | "windows-1252";

// The names people type for them (a query parameter, a charset, a CLI flag), lower case.
const ENCODING_NAMES: Record<string, Encoding> = {
  "utf-8": "utf-8",
  "utf8": "utf-8",
  "latin1": "latin1",
  "iso-8859-1": "latin1",
  "windows-1252": "windows-1252",
  "cp1252": "windows-1252",
};

/**
 * The {@linkcode Encoding} a name stands for, in any case (`"CP1252"` → `"windows-1252"`), or
 * undefined when it names none.
 *
 * @example
 * ```ts
 * import { encodingNamed } from "./decode.ts";
 * if (encodingNamed("ISO-8859-1") !== "latin1" || encodingNamed("utf-16") !== undefined) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function encodingNamed(name: string): Encoding | undefined {
  const key = name.toLowerCase();
  // Own keys only: "constructor" or "toString" name no encoding.
  return Object.hasOwn(ENCODING_NAMES, key) ? ENCODING_NAMES[key] : undefined;
}

/** Options of {@linkcode decode}. */
export interface DecodeOptions {
  /** Declared encoding; a BOM overrides it. @default {"utf-8"} */
  encoding?: Encoding;
  /** The run's stage spans: `ingest.decode` opens as decoding is set up. */
  spans?: StageSpans;
}

/**
 * The `ingest.decode` span, closed with the bytes decoded. A workbook's reader decodes its own
 * XML: its upload's span covers the same bytes (opened by the parse stage).
 */
export const decodeSpan = defineStageSpan("decode", (stats: { bytes: number }) => ({
  "ingest.bytes": stats.bytes,
}));

// What to do about a file that is not text, by its detected type. Workbooks are read only when
// sent as .xlsx (or with the workbook media type); the content alone is not trusted for that.
const ADVICE: Record<string, string> = {
  zip: "if it is an Excel workbook, upload it with its .xlsx name; otherwise save the data as CSV",
  xls: "save it as .xlsx or CSV in Excel and upload that",
  other: "export the data as CSV and upload that",
};

// Bytes looked at before decoding starts: signatures, BOMs and the control-byte check.
const SNIFF_BYTES = 512;

/**
 * Decodes bytes to text chunks (one per input chunk), checking that they are text.
 *
 * @param bytes The file's bytes, e.g. from `receive()`.
 * @param options The declared encoding.
 * @returns Text without BOM. Errors with `encoding_error` `{offset, line}` on invalid UTF-8,
 * `unsupported_file_type` `{detected}` on a known non-text signature, and `parse_error`
 * `{offset, line}` on binary content; offsets are 0-based bytes into the file, lines 1-based.
 *
 * @example Decode windows-1252
 * ```ts
 * import { decode } from "./decode.ts";
 * const bytes = new Blob([new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80])]).stream();
 * const text = await Array.fromAsync(decode(bytes, { encoding: "windows-1252" }));
 * if (text.join("") !== "café €") throw new Error("unexpected");
 * ```
 */
export function decode(
  bytes: ReadableStream<Uint8Array>,
  options: DecodeOptions = {},
): ReadableStream<string> {
  if (options.spans) decodeSpan.open(options.spans);
  const declared = options.encoding ?? "utf-8";
  let head: Uint8Array | null = new Uint8Array(0);
  let decoder: TextDecoder | undefined;
  let utf16 = false;
  let offset = 0; // bytes of the file before the current chunk
  let lines = 0; // line breaks in the text emitted so far
  let prevCR = false; // the text emitted so far ends with CR
  let tail: Uint8Array = new Uint8Array(0); // the last bytes before the current chunk (for UTF-8 errors)

  const emit = (text: string, controller: TransformStreamDefaultController<string>) => {
    if (text.length === 0) return;
    if (utf16) {
      const nul = text.indexOf("\0");
      if (nul !== -1) {
        // Two bytes a code unit; off by the few bytes the decoder held back from the last chunk.
        const at = offset + 2 * nul;
        throw binaryError(at, lines + 1 + countBreaks(text.slice(0, nul), prevCR));
      }
    }
    lines += countBreaks(text, prevCR);
    prevCR = text.charCodeAt(text.length - 1) === 13;
    controller.enqueue(text);
  };

  const decodeChunk = (
    chunk: Uint8Array,
    controller: TransformStreamDefaultController<string>,
  ) => {
    if (!utf16) {
      const nul = chunk.indexOf(0);
      if (nul !== -1) throw binaryError(offset + nul, lineAt(chunk, nul));
    }
    let text: string;
    try {
      text = decoder!.decode(chunk, { stream: true });
    } catch {
      throw utf8Error(chunk);
    }
    emit(text, controller);
    offset += chunk.byteLength;
    tail = lastBytes(tail, chunk);
  };

  /** 1-based line of byte `index` of `chunk` (bytes ≥ 0x80 are never line breaks in UTF-8). */
  const lineAt = (chunk: Uint8Array, index: number) => {
    let count = 0;
    let cr = tail.length > 0 ? tail[tail.length - 1] === 13 : prevCR;
    for (let k = 0; k < index; k++) {
      const b = chunk[k];
      if (b === 13 || (b === 10 && !cr)) count++;
      cr = b === 13;
    }
    return lines + 1 + count;
  };

  const utf8Error = (chunk: Uint8Array) => {
    // The decoder still holds the incomplete character that ended the previous chunk.
    const pending = incompleteUtf8(tail);
    const bytes = concat(tail.subarray(tail.length - pending), chunk);
    const bad = firstInvalidUtf8(bytes);
    const at = bad === -1 ? bytes.length - incompleteUtf8(bytes) : bad;
    const position = offset - pending + at;
    const line = at < pending ? lines + 1 : lineAt(chunk, at - pending);
    const value = bytes[at] === undefined ? "" : ` 0x${bytes[at].toString(16).toUpperCase()}`;
    return new IngestError(
      "encoding_error",
      `The file is not valid UTF-8: byte${value} at offset ${position} (line ${line}); ` +
        `save it as UTF-8 or choose its encoding (e.g. windows-1252)`,
      { offset: position, line, encoding: "utf-8" },
    );
  };

  const start = (controller: TransformStreamDefaultController<string>) => {
    const first = head!;
    head = null;
    const signature = sniffSignature(first);
    if (signature) {
      throw new IngestError(
        "unsupported_file_type",
        `The file looks like ${signature.label}, not text: ${
          ADVICE[signature.detected] ?? ADVICE.other
        }`,
        { detected: signature.detected },
      );
    }
    let encoding: string = declared === "latin1" ? "windows-1252" : declared;
    let bom = 0;
    if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) {
      encoding = "utf-8";
      bom = 3;
    } else if (first[0] === 0xff && first[1] === 0xfe) {
      encoding = "utf-16le";
      bom = 2;
    } else if (first[0] === 0xfe && first[1] === 0xff) {
      encoding = "utf-16be";
      bom = 2;
    }
    utf16 = encoding.startsWith("utf-16");
    if (!utf16) {
      const binary = binaryOffset(first.subarray(bom));
      if (binary !== -1) {
        const at = bom + binary;
        throw binaryError(at, lineAt(first, at), first[at]);
      }
    }
    // The BOM is skipped here, so the decoder must not strip another one further on.
    decoder = new TextDecoder(encoding, { fatal: encoding === "utf-8", ignoreBOM: true });
    offset = bom;
    decodeChunk(first.subarray(bom), controller);
  };

  return bytes.pipeThrough(
    new TransformStream<Uint8Array, string>({
      transform(chunk, controller) {
        if (head === null) return decodeChunk(chunk, controller);
        head = concat(head, chunk);
        if (head.length >= SNIFF_BYTES) start(controller);
      },
      flush(controller) {
        if (head !== null) start(controller);
        let text: string;
        try {
          text = decoder!.decode();
        } catch {
          throw utf8Error(new Uint8Array(0));
        }
        emit(text, controller);
      },
    }),
  );
}

function binaryError(offset: number, line: number, byte = 0): IngestError {
  const what = byte === 0 ? "a NUL byte" : `control byte 0x${byte.toString(16).padStart(2, "0")}`;
  return new IngestError(
    "parse_error",
    `The file looks binary, not text: ${what} at offset ${offset} (line ${line})`,
    { offset, line },
  );
}

/** Line breaks in `s` (CR, LF and CRLF count once), given whether the text before ends in CR. */
function countBreaks(s: string, prevCR: boolean): number {
  let count = 0;
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) {
    if (i === 0 ? !prevCR : s.charCodeAt(i - 1) !== 13) count++;
  }
  for (let i = s.indexOf("\r"); i !== -1; i = s.indexOf("\r", i + 1)) count++;
  return count;
}

/** Index of the first byte of the first malformed UTF-8 sequence, or -1 (a cut-off end is fine). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return -1;
      const c = bytes[i + k];
      if (c < lo || c > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}

/** How many bytes at the end of `bytes` start a UTF-8 character that is not complete yet. */
function incompleteUtf8(bytes: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, bytes.length); k++) {
    const b = bytes[bytes.length - k];
    if (b >= 0x80 && b < 0xc0) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > k ? k : 0;
  }
  return 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The last 3 bytes of `tail` followed by `chunk`. */
function lastBytes(tail: Uint8Array, chunk: Uint8Array): Uint8Array {
  if (chunk.length >= 3) return chunk.slice(chunk.length - 3);
  return concat(tail, chunk).slice(-3);
}
