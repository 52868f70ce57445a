/**
 * Streaming JSON uploads: a top-level array of objects, or NDJSON (one object per line), turned
 * into the same records the CSV parser yields, so every later stage is shared.
 *
 * The header is the union of the keys of the first objects (up to {@linkcode HEADER_SAMPLE}, in
 * first-seen order), so optional keys left out of the first object still count; an object with a
 * key outside that header is a `parse_error` naming the key. Values become cells as a person
 * would type them: numbers in JSON notation, `true`/`false`, null as empty, nested values as JSON.
 * A number whose value a double would change (more than 15 significant digits, an exponent)
 * keeps its exact text from the file (`12345678901234567890123`, `1e-400`), so a decimal column
 * gets what was sent.
 *
 * Bounds come from the upload's {@linkcode UploadLimits}: an object's text (`maxRecordBytes`), a
 * value (`maxFieldBytes`), the header's union of keys (`maxColumns`); past one, `limit_exceeded`.
 * The first objects are held (parsed) until the header is fixed, at most `maxHeaderSampleChars`
 * of their text. A NUL character in a key or a value is an `encoding_error`: text columns and
 * the run record cannot hold it.
 * Row numbers count the header as row 1, like a spreadsheet; `line` is where the object starts.
 *
 * This module is browser compatible.
 *
 * @example An array of objects
 * ```ts
 * import { parseJsonRecords } from "./json.ts";
 * const out = [];
 * for await (const batch of parseJsonRecords(['[{"id": 1, "ok": true},', '{"id": 2}]'])) out.push(...batch);
 * if (JSON.stringify(out.map((r) => r.fields)) !== '[["id","ok"],["1","true"],["2",""]]') {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @module
 */
import { IngestError } from "../../errors.ts";
import type { SourceRecord } from "./source_record.ts";
import { type UploadLimits, uploadLimits } from "../../limits.ts";
import { exactNumbers, mayLoseNumbers, rawNumberText } from "./json/exact_numbers.ts";

/** The two JSON shapes an upload may have. */
export type JsonFormat = "json" | "ndjson";

/** How to parse; every field is optional. */
export interface JsonParseOptions {
  /** The shape; taken from the first character when absent (`[` array, `{` NDJSON). */
  format?: JsonFormat;
  /** Records per yielded batch. @default {1000} */
  batchSize?: number;
  /** The upload's bounds. @default {uploadLimits()} */
  limits?: UploadLimits;
}

/** Objects read before the header is fixed. */
export const HEADER_SAMPLE = 1000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One top-level element: its value, where it starts, and facts its text told. */
interface Element {
  value: Json;
  line: number;
  /** Length of the element's text in UTF-16 code units. */
  chars: number;
  /** The text holds `\u0000`: some key or value may hold a NUL. */
  nul: boolean;
}

/** Streams JSON text as record batches; the first record is the header. */
export async function* parseJsonRecords(
  text: AsyncIterable<string> | Iterable<string>,
  options: JsonParseOptions = {},
): AsyncGenerator<SourceRecord[]> {
  const batchSize = options.batchSize ?? 1000;
  const limits = options.limits ?? uploadLimits();
  const { maxColumns, maxFieldBytes, maxHeaderSampleChars } = limits;
  let header: string[] | null = null;
  // The union of keys, in first-seen order, grows while the first objects are read.
  const index = new Map<string, number>();
  const sample: Array<{ object: Record<string, Json>; line: number }> = [];
  let sampleChars = 0;
  let sampled = 0;
  let batch: SourceRecord[] = [];
  let row = 1;

  const toRecord = (object: Record<string, Json>, line: number): SourceRecord => {
    const fields = new Array<string>(header!.length).fill("");
    let numbers: boolean[] | undefined;
    for (const key in object) {
      const at = index.get(key);
      if (at === undefined) {
        throw new IngestError(
          "parse_error",
          `The object on line ${line} has the key "${key}", which none of the first ${sampled} objects has`,
          { line, key },
        );
      }
      const text = cell(object[key]);
      if (text.length * 3 > maxFieldBytes && utf8Length(text) > maxFieldBytes) {
        throw new IngestError(
          "limit_exceeded",
          `Value too large: the value of "${key}" in the object on line ${line} exceeds ${maxFieldBytes} bytes (maxFieldBytes)`,
          { limit: "maxFieldBytes", max: maxFieldBytes, line, row: row + 1, key },
        );
      }
      fields[at] = text;
      const value = object[key];
      if (typeof value === "number" || rawNumberText(value) !== undefined) {
        (numbers ??= new Array<boolean>(fields.length).fill(false))[at] = true;
      }
    }
    const record: SourceRecord = { row: ++row, line, fields };
    if (numbers) record.numbers = numbers;
    return record;
  };
  const addKeys = (object: Record<string, Json>, line: number) => {
    for (const key in object) {
      if (index.has(key)) continue;
      if (index.size === maxColumns) {
        throw new IngestError(
          "limit_exceeded",
          `Too many columns: the objects up to line ${line} have more than ${maxColumns} distinct keys (maxColumns)`,
          { limit: "maxColumns", max: maxColumns, line, maxColumns },
        );
      }
      index.set(key, index.size);
    }
  };
  const fixHeader = () => {
    header = [...index.keys()];
    batch.push({ row: 1, line: sample[0]?.line ?? 1, fields: header });
    for (const { object, line } of sample) batch.push(toRecord(object, line));
    sample.length = 0;
  };

  for await (const { value, line, chars, nul } of objects(text, limits, options.format)) {
    const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
    if (!isObject || rawNumberText(value) !== undefined) {
      throw new IngestError(
        "parse_error",
        `Line ${line} holds ${describe(value)}; every element must be an object of column → value`,
        { line },
      );
    }
    if (nul) refuseNul(value, line);
    if (header === null) {
      addKeys(value, line);
      sample.push({ object: value, line });
      sampled++;
      sampleChars += chars;
      // A sample of large objects would hold the budget several times over once parsed.
      if (sample.length === HEADER_SAMPLE || sampleChars > maxHeaderSampleChars) fixHeader();
    } else {
      batch.push(toRecord(value, line));
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (header === null && sample.length > 0) fixHeader();
  if (batch.length > 0) yield batch;
}

function cell(value: Json): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return rawNumberText(value) ?? JSON.stringify(value);
  return String(value);
}

/** Throws `encoding_error` naming the first top-level key or value that holds a NUL. */
function refuseNul(object: Record<string, Json>, line: number): void {
  for (const key in object) {
    const value = object[key];
    const where = key.includes("\0")
      ? "a key"
      : (typeof value === "string" ? value : cell(value)).includes("\0")
      ? `the value of "${key}"`
      : null;
    if (where === null) continue;
    throw new IngestError(
      "encoding_error",
      `The object on line ${line} has a NUL character (\\u0000) in ${where}: text cannot contain it`,
      { line, key: key.replaceAll("\0", "\u2400") },
    );
  }
}

/** Length of `s` in UTF-8 bytes. */
function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

function describe(value: Json): string {
  if (Array.isArray(value)) return "an array";
  if (rawNumberText(value) !== undefined) return "a number";
  return value === null ? "null" : `a ${typeof value}`;
}

/** Yields each top-level object (array elements or NDJSON lines) with its starting line. */
async function* objects(
  text: AsyncIterable<string> | Iterable<string>,
  limits: UploadLimits,
  declared: JsonFormat | undefined,
): AsyncGenerator<Element> {
  const scanner = new ElementScanner(limits.maxRecordBytes);
  let format = declared;
  for await (const chunk of text) {
    if (format === undefined) {
      const first = chunk.match(/\S/)?.[0];
      if (first === undefined) continue;
      format = first === "[" ? "json" : "ndjson";
    }
    yield* format === "json" ? scanner.arrayChunk(chunk) : scanner.lineChunk(chunk);
  }
  if (format === "json") scanner.arrayEnd();
  else yield* scanner.linesEnd();
}

/**
 * Cuts JSON text into top-level elements without parsing it twice: a character scan tracks
 * strings and nesting, and `JSON.parse` reads each complete element.
 */
class ElementScanner {
  #buffer = "";
  #pos = 0;
  #line = 1;
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Largest element in UTF-8 bytes. */
  readonly #maxBytes: number;
  /** Where the current element starts in the buffer, or -1 between elements. */
  #start = -1;
  #startLine = 1;
  #opened = false;
  #closed = false;
  /** Digits and points in a row outside strings, and whether the element may need exact numbers. */
  #digits = 0;
  #mayLose = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  *arrayChunk(chunk: string): Generator<Element> {
    this.#buffer = this.#start >= 0 ? this.#buffer.slice(this.#start) + chunk : chunk;
    this.#pos = this.#start >= 0 ? this.#pos - this.#start : 0;
    if (this.#start >= 0) this.#start = 0;
    const buf = this.#buffer;
    for (; this.#pos < buf.length; this.#pos++) {
      const c = buf.charCodeAt(this.#pos);
      if (c === 10) this.#line++;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === 92) this.#escaped = true; // backslash
        else if (c === 34) this.#inString = false;
        continue;
      }
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (this.#closed) throw this.#error("Text after the closing ] of the array");
      if (!this.#opened) {
        if (c !== 91) throw this.#error("A JSON upload must be an array of objects");
        this.#opened = true;
        continue;
      }
      if (this.#depth === 0) {
        if (c === 44) continue; // a comma between elements
        if (c === 93) {
          this.#closed = true;
          continue;
        }
        if (c !== 123) {
          throw this.#error("Every element of the array must be an object of column → value");
        }
        this.#start = this.#pos;
        this.#startLine = this.#line;
        this.#mayLose = false;
      }
      // Outside strings, 16 digits or points in a row or an exponent is a number a double may
      // change (see exact_numbers.ts); the scan is here already, so this check costs no pass.
      if ((c >= 48 && c <= 57) || c === 46) {
        if (++this.#digits >= 16) this.#mayLose = true;
      } else {
        if ((c === 101 || c === 69) && this.#digits > 0) this.#mayLose = true;
        this.#digits = 0;
      }
      if (c === 34) this.#inString = true;
      else if (c === 123 || c === 91) this.#depth++;
      else if (c === 125 || c === 93) this.#depth--;
      if (this.#depth === 0) {
        yield this.#element(buf.slice(this.#start, this.#pos + 1), this.#mayLose);
        this.#start = -1;
      }
    }
    // Each UTF-16 code unit is at least one UTF-8 byte: this many characters are too many bytes.
    if (this.#start >= 0 && buf.length - this.#start > this.#maxBytes) throw this.#tooLarge();
  }

  /** Checks the array was closed (empty input is fine: no records). */
  arrayEnd(): void {
    if (this.#opened && !this.#closed) {
      throw this.#error("The JSON array is not closed (the file ends early)");
    }
  }

  *lineChunk(chunk: string): Generator<Element> {
    this.#buffer += chunk;
    let from = 0;
    for (let nl = this.#buffer.indexOf("\n"); nl >= 0; nl = this.#buffer.indexOf("\n", from)) {
      yield* this.#jsonLine(this.#buffer.slice(from, nl));
      from = nl + 1;
    }
    this.#buffer = this.#buffer.slice(from);
    if (this.#buffer.length > this.#maxBytes) {
      this.#startLine = this.#line;
      throw this.#tooLarge();
    }
  }

  *linesEnd(): Generator<Element> {
    yield* this.#jsonLine(this.#buffer);
    this.#buffer = "";
  }

  *#jsonLine(text: string): Generator<Element> {
    const line = this.#line++;
    if (text.trim() === "") return;
    this.#startLine = line;
    yield this.#element(text, mayLoseNumbers(text));
  }

  #element(text: string, mayLose: boolean): Element {
    if (text.length * 3 > this.#maxBytes && utf8Length(text) > this.#maxBytes) {
      throw this.#tooLarge();
    }
    return {
      value: this.#parse(text, mayLose),
      line: this.#startLine,
      chars: text.length,
      nul: text.includes("\\u0000"),
    };
  }

  #parse(text: string, mayLose: boolean): Json {
    try {
      // The exact-number parse is ten times slower: only the elements that may need it take it.
      return (mayLose ? exactNumbers(text) : JSON.parse(text)) as Json;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new IngestError("parse_error", `Invalid JSON on line ${this.#startLine}: ${reason}`, {
        line: this.#startLine,
      });
    }
  }

  #tooLarge(): IngestError {
    const max = this.#maxBytes;
    return new IngestError(
      "limit_exceeded",
      `Object too large: the object starting on line ${this.#startLine} exceeds ${max} bytes (maxRecordBytes)`,
      { limit: "maxRecordBytes", max, line: this.#startLine, maxRecordBytes: max },
    );
  }

  #error(message: string): IngestError {
    return new IngestError("parse_error", `${message} (line ${this.#line})`, { line: this.#line });
  }
}
