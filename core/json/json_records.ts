/**
 * Streaming JSON uploads: a top-level array of objects, or NDJSON (one object per line), turned
 * into the same records the CSV parser yields, so every later stage is shared.
 *
 * The header is the union of the keys of the first objects (up to {@linkcode HEADER_SAMPLE}, in
 * first-seen order), so optional keys left out of the first object still count; an object with a
 * key outside that header is a `parse_error` naming the key. Values become cells as a person
 * would type them: numbers in JSON notation, `true`/`false`, null as empty, nested values as JSON.
 * Row numbers count the header as row 1, like a spreadsheet; `line` is where the object starts.
 *
 * This module is browser compatible.
 *
 * @example An array of objects
 * ```ts
 * import { parseJsonRecords } from "./json_records.ts";
 * const out = [];
 * for await (const batch of parseJsonRecords(['[{"id": 1, "ok": true},', '{"id": 2}]'])) out.push(...batch);
 * if (JSON.stringify(out.map((r) => r.fields)) !== '[["id","ok"],["1","true"],["2",""]]') {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import type { CsvRecord } from "../csv/parser.ts";

/** The two JSON shapes an upload may have. */
export type JsonFormat = "json" | "ndjson";

/** How to parse; every field is optional. */
export interface JsonParseOptions {
  /** The shape; taken from the first character when absent (`[` array, `{` NDJSON). */
  format?: JsonFormat;
  /** Records per yielded batch. @default {1000} */
  batchSize?: number;
  /** Largest single object in characters. @default {16 MiB} */
  maxObjectChars?: number;
}

/** Objects read before the header is fixed. */
export const HEADER_SAMPLE = 1000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Streams JSON text as record batches; the first record is the header. */
export async function* parseJsonRecords(
  text: AsyncIterable<string> | Iterable<string>,
  options: JsonParseOptions = {},
): AsyncGenerator<CsvRecord[]> {
  const batchSize = options.batchSize ?? 1000;
  let header: string[] | null = null;
  let index: Map<string, number> | null = null;
  const sample: Array<{ object: Record<string, Json>; line: number }> = [];
  let batch: CsvRecord[] = [];
  let row = 1;

  const toRecord = (object: Record<string, Json>, line: number): CsvRecord => {
    const fields = new Array<string>(header!.length).fill("");
    for (const key in object) {
      const at = index!.get(key);
      if (at === undefined) {
        throw new IngestError(
          "parse_error",
          `The object on line ${line} has the key "${key}", which none of the first ${HEADER_SAMPLE} objects has`,
          { line, key },
        );
      }
      fields[at] = cell(object[key]);
    }
    return { row: ++row, line, fields };
  };
  const fixHeader = () => {
    const keys = new Map<string, number>();
    for (const { object } of sample) {
      for (const key in object) if (!keys.has(key)) keys.set(key, keys.size);
    }
    header = [...keys.keys()];
    index = keys;
    batch.push({ row: 1, line: sample[0]?.line ?? 1, fields: header });
    for (const { object, line } of sample) batch.push(toRecord(object, line));
    sample.length = 0;
  };

  for await (const { value, line } of objects(text, options)) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new IngestError(
        "parse_error",
        `Line ${line} holds ${describe(value)}; every element must be an object of column → value`,
        { line },
      );
    }
    if (header === null) {
      sample.push({ object: value, line });
      if (sample.length === HEADER_SAMPLE) fixHeader();
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
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function describe(value: Json): string {
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : `a ${typeof value}`;
}

/** Yields each top-level object (array elements or NDJSON lines) with its starting line. */
async function* objects(
  text: AsyncIterable<string> | Iterable<string>,
  options: JsonParseOptions,
): AsyncGenerator<{ value: Json; line: number }> {
  const maxChars = options.maxObjectChars ?? 16 * 1024 * 1024;
  const scanner = new ElementScanner(maxChars);
  let format = options.format;
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
  /** Where the current element starts in the buffer, or -1 between elements. */
  #start = -1;
  #startLine = 1;
  #opened = false;
  #closed = false;
  readonly #maxChars: number;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  *arrayChunk(chunk: string): Generator<{ value: Json; line: number }> {
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
      }
      if (c === 34) this.#inString = true;
      else if (c === 123 || c === 91) this.#depth++;
      else if (c === 125 || c === 93) this.#depth--;
      if (this.#depth === 0) {
        yield { value: this.#parse(buf.slice(this.#start, this.#pos + 1)), line: this.#startLine };
        this.#start = -1;
      }
    }
    if (this.#start >= 0 && buf.length - this.#start > this.#maxChars) {
      throw this.#error(`An element is longer than ${this.#maxChars} characters`);
    }
  }

  /** Checks the array was closed (empty input is fine: no records). */
  arrayEnd(): void {
    if (this.#opened && !this.#closed) {
      throw this.#error("The JSON array is not closed (the file ends early)");
    }
  }

  *lineChunk(chunk: string): Generator<{ value: Json; line: number }> {
    this.#buffer += chunk;
    let from = 0;
    for (let nl = this.#buffer.indexOf("\n"); nl >= 0; nl = this.#buffer.indexOf("\n", from)) {
      yield* this.#jsonLine(this.#buffer.slice(from, nl));
      from = nl + 1;
    }
    this.#buffer = this.#buffer.slice(from);
    if (this.#buffer.length > this.#maxChars) {
      throw this.#error(`A line is longer than ${this.#maxChars} characters`);
    }
  }

  *linesEnd(): Generator<{ value: Json; line: number }> {
    yield* this.#jsonLine(this.#buffer);
    this.#buffer = "";
  }

  *#jsonLine(text: string): Generator<{ value: Json; line: number }> {
    const line = this.#line++;
    if (text.trim() === "") return;
    this.#startLine = line;
    yield { value: this.#parse(text), line };
  }

  #parse(text: string): Json {
    try {
      return JSON.parse(text);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new IngestError("parse_error", `Invalid JSON on line ${this.#startLine}: ${reason}`, {
        line: this.#startLine,
      });
    }
  }

  #error(message: string): IngestError {
    return new IngestError("parse_error", `${message} (line ${this.#line})`, { line: this.#line });
  }
}
