/**
 * The streaming CSV scanner behind `parseCsv()`: a hand-written state machine that takes text
 * chunks, cut anywhere, and emits records with their spreadsheet row and physical start line.
 *
 * Only the record in progress is carried from one chunk to the next (its finished fields and
 * the partial field), so memory is bounded by the limits, never by the file.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "../../../errors.ts";
import type { SourceRecord } from "../source_record.ts";

/** What the scanner needs to know; every field is required (parseCsv() fills the defaults). */
export interface ScannerOptions {
  delimiter: string;
  batchSize: number;
  maxFieldBytes: number;
  /** Largest record: the sum of its fields' UTF-8 bytes. */
  maxRecordBytes: number;
  maxColumns: number;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

// Where the scanner stands between two characters; kept across chunks.
const RECORD_START = 0; // before a record or a blank line
const FIELD_START = 1; // right after a delimiter
const UNQUOTED = 2; // inside an unquoted field, or in literal text after a closing quote
const QUOTED = 3; // inside a quoted field
const QUOTE_SEEN = 4; // just after a quote inside a quoted field: closing, or the first of a pair

/**
 * Incremental RFC 4180 scanner: `push()` text chunks, then `finish()`; full batches collect in
 * `take()`.
 *
 * @example Records from two chunks cut inside a quoted field
 * ```ts
 * import { CsvScanner } from "./parser.ts";
 * const scanner = new CsvScanner({
 *   delimiter: ",",
 *   batchSize: 1000,
 *   maxFieldBytes: 1024,
 *   maxRecordBytes: 4096,
 *   maxColumns: 10,
 * });
 * scanner.push('id,note\n1,"a\nb');
 * scanner.push('"\n');
 * scanner.finish();
 * const [batch] = scanner.take();
 * if (batch[1].fields[1] !== "a\nb" || batch[1].line !== 2) throw new Error("unexpected");
 * ```
 */
export class CsvScanner {
  readonly #delimiter: number;
  readonly #delimiterChar: string;
  readonly #batchSize: number;
  readonly #maxFieldBytes: number;
  readonly #maxRecordBytes: number;
  readonly #maxColumns: number;
  #state = RECORD_START;
  #fields: string[] = [];
  /** UTF-16 code units in the record's finished fields: a cheap bound on its bytes. */
  #recordChars = 0;
  /**
   * Exact UTF-8 bytes of the first `#countedFields` fields of the record `#countedRecord` (its
   * fields array), kept only once a record comes near its bound; the usual path never touches it.
   */
  #countedRecord: string[] | null = null;
  #countedFields = 0;
  #countedBytes = 0;
  /** The same for the field in progress: its first `#measuredChars` code units. */
  #measuredField = -1;
  #measuredChars = 0;
  #measuredBytes = 0;
  #partial = "";
  #line = 1;
  #row = 0;
  #recordLine = 1;
  #recordRow = 0;
  #fieldLine = 1;
  #prevCode = -1;
  #batch: SourceRecord[] = [];
  #ready: SourceRecord[][] = [];

  constructor(options: ScannerOptions) {
    if (options.delimiter.length !== 1) {
      throw new RangeError(
        `Cannot parse CSV: delimiter "${options.delimiter}" is not one character`,
      );
    }
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new RangeError(
        `Cannot parse CSV: batchSize ${options.batchSize} is not a positive integer`,
      );
    }
    this.#delimiter = options.delimiter.charCodeAt(0);
    this.#delimiterChar = options.delimiter;
    this.#batchSize = options.batchSize;
    this.#maxFieldBytes = options.maxFieldBytes;
    this.#maxRecordBytes = options.maxRecordBytes;
    this.#maxColumns = options.maxColumns;
  }

  /** Returns the batches completed so far and forgets them. */
  take(): SourceRecord[][] {
    const ready = this.#ready;
    this.#ready = [];
    return ready;
  }

  /** Scans one chunk of text; records that end in it join the current batch. */
  push(s: string): void {
    const n = s.length;
    if (n === 0) return;
    const delimiter = this.#delimiter;
    const delimiterChar = this.#delimiterChar;
    // Hot state lives in locals for the loop and is written back at the end.
    let state = this.#state;
    let partial = this.#partial;
    let line = this.#line;
    let i = 0;
    let nextDelimiter = -1;
    let nextLF = -1;
    let nextCR = -1;
    while (i < n) {
      if (state === RECORD_START) {
        const c = s.charCodeAt(i);
        if (c === LF || c === CR) {
          i++;
          // The LF of a CRLF that ended the previous record or blank line is no new line.
          if (c === LF && (i > 1 ? s.charCodeAt(i - 2) : this.#prevCode) === CR) continue;
          this.#row++;
          line++;
          continue;
        }
        this.#recordRow = ++this.#row;
        this.#recordLine = line;
        state = FIELD_START;
      }
      if (state === FIELD_START) {
        this.#fieldLine = line;
        if (s.charCodeAt(i) === QUOTE) {
          i++;
          state = QUOTED;
          if (i === n) break;
        } else {
          state = UNQUOTED;
        }
      }
      if (state === UNQUOTED) {
        // The field ends at the nearest delimiter, LF or CR. Each position is found with
        // indexOf (much faster than a charCodeAt loop) and reused until the scan passes it.
        if (nextDelimiter < i) nextDelimiter = indexOrEnd(s, delimiterChar, i);
        if (nextLF < i) nextLF = indexOrEnd(s, "\n", i);
        if (nextCR < i) nextCR = indexOrEnd(s, "\r", i);
        let j = nextDelimiter < nextLF ? nextDelimiter : nextLF;
        if (nextCR < j) j = nextCR;
        if (j === n) {
          partial += s.slice(i);
          this.#checkField(partial);
          i = n;
          break;
        }
        this.#addField(partial === "" ? s.slice(i, j) : partial + s.slice(i, j));
        partial = "";
        i = j + 1;
        if (j === nextDelimiter) {
          state = FIELD_START;
        } else {
          line++;
          this.#endRecord();
          state = RECORD_START;
        }
        continue;
      }
      if (state === QUOTED) {
        const q = s.indexOf('"', i);
        const end = q === -1 ? n : q;
        line += countLineBreaks(s, i, end, this.#prevCode);
        partial += s.slice(i, end);
        if (q === -1) {
          this.#checkField(partial);
          i = n;
          break;
        }
        i = q + 1;
        state = QUOTE_SEEN;
        if (i === n) break;
      }
      // state === QUOTE_SEEN
      const c = s.charCodeAt(i);
      if (c === QUOTE) {
        partial += '"';
        i++;
        state = QUOTED;
      } else if (c === delimiter) {
        this.#addField(partial);
        partial = "";
        i++;
        state = FIELD_START;
      } else if (c === LF || c === CR) {
        this.#addField(partial);
        partial = "";
        i++;
        line++;
        this.#endRecord();
        state = RECORD_START;
      } else {
        // Lenient: text after a closing quote is kept literally, appended to the field.
        state = UNQUOTED;
      }
    }
    this.#state = state;
    this.#partial = partial;
    this.#line = line;
    this.#prevCode = s.charCodeAt(n - 1);
  }

  /** Ends the input: emits the last record, or throws on a quote left open. */
  finish(): void {
    switch (this.#state) {
      case QUOTED:
        throw new IngestError(
          "parse_error",
          `Unclosed quote: the field opened on line ${this.#fieldLine} never ends`,
          { line: this.#fieldLine, row: this.#recordRow },
        );
      case FIELD_START:
      case UNQUOTED:
      case QUOTE_SEEN:
        this.#addField(this.#partial);
        this.#partial = "";
        this.#endRecord();
        this.#state = RECORD_START;
    }
    if (this.#batch.length > 0) {
      this.#ready.push(this.#batch);
      this.#batch = [];
    }
  }

  #addField(value: string): void {
    const chars = this.#recordChars + value.length;
    // Two multiplications on the usual path; the counting lives out of line.
    if (value.length * 3 > this.#maxFieldBytes || chars * 3 > this.#maxRecordBytes) {
      this.#checkField(value);
    }
    if (this.#fields.length >= this.#maxColumns) {
      throw new IngestError(
        "limit_exceeded",
        `Too many columns: the record on line ${this.#recordLine} has more than ${this.#maxColumns} (maxColumns)`,
        {
          limit: "maxColumns",
          max: this.#maxColumns,
          line: this.#recordLine,
          row: this.#recordRow,
          maxColumns: this.#maxColumns,
        },
      );
    }
    this.#fields.push(value);
    this.#recordChars = chars;
  }

  /**
   * Checks a field, finished or still in progress (at the end of a chunk), against the field and
   * the record bounds. A UTF-16 code unit is 1 to 3 UTF-8 bytes, so only near a bound are bytes
   * counted; the usual field costs two multiplications.
   */
  #checkField(value: string): void {
    const chars = this.#recordChars + value.length;
    if (value.length * 3 <= this.#maxFieldBytes && chars * 3 <= this.#maxRecordBytes) return;
    const bytes = value.length > this.#maxFieldBytes ? Infinity : this.#bytesOf(value);
    if (bytes > this.#maxFieldBytes) {
      throw this.#limitError(
        "maxFieldBytes",
        this.#maxFieldBytes,
        `Field too large: the field starting on line ${this.#fieldLine} exceeds ${this.#maxFieldBytes} bytes`,
      );
    }
    if (chars * 3 <= this.#maxRecordBytes) return;
    if (chars <= this.#maxRecordBytes && this.#fieldsBytes() + bytes <= this.#maxRecordBytes) {
      return;
    }
    throw this.#limitError(
      "maxRecordBytes",
      this.#maxRecordBytes,
      `Record too large: the record starting on line ${this.#recordLine} exceeds ${this.#maxRecordBytes} bytes (its fields together)`,
    );
  }

  /**
   * UTF-8 bytes of the field in progress. It only grows from one chunk's end to the next, so
   * only its new text is counted: a field of many chunks costs one pass, not one per chunk.
   */
  #bytesOf(value: string): number {
    // A field is known by its record's row and its place in it.
    const field = this.#recordRow * 65536 + this.#fields.length;
    if (field !== this.#measuredField || value.length < this.#measuredChars) {
      this.#measuredField = field;
      this.#measuredChars = 0;
      this.#measuredBytes = 0;
    }
    this.#measuredBytes += utf8Length(value, this.#measuredChars);
    this.#measuredChars = value.length;
    return this.#measuredBytes;
  }

  /** UTF-8 bytes of the record's finished fields, counting only those not counted before. */
  #fieldsBytes(): number {
    if (this.#countedRecord !== this.#fields) {
      this.#countedRecord = this.#fields;
      this.#countedFields = 0;
      this.#countedBytes = 0;
    }
    for (; this.#countedFields < this.#fields.length; this.#countedFields++) {
      this.#countedBytes += utf8Length(this.#fields[this.#countedFields], 0);
    }
    return this.#countedBytes;
  }

  #limitError(limit: string, max: number, message: string): IngestError {
    return new IngestError("limit_exceeded", message, {
      limit,
      max,
      line: this.#fieldLine,
      row: this.#recordRow,
      column: this.#fields.length + 1,
      [limit]: max,
    });
  }

  #endRecord(): void {
    this.#batch.push({ row: this.#recordRow, line: this.#recordLine, fields: this.#fields });
    this.#fields = [];
    this.#recordChars = 0;
    if (this.#batch.length === this.#batchSize) {
      this.#ready.push(this.#batch);
      this.#batch = [];
    }
  }
}

/** Index of `char` in `s` from `from`, or `s.length` when there is none. */
function indexOrEnd(s: string, char: string, from: number): number {
  const index = s.indexOf(char, from);
  return index === -1 ? s.length : index;
}

/** Counts line breaks in `s[from, to)`: CR, LF and CRLF each count once. */
function countLineBreaks(s: string, from: number, to: number, prevCode: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c === CR) count++;
    else if (c === LF && (k > 0 ? s.charCodeAt(k - 1) : prevCode) !== CR) count++;
  }
  return count;
}

/** Length of `s` from `from` in UTF-8 bytes. */
function utf8Length(s: string, from: number): number {
  let bytes = 0;
  for (let k = from; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && k + 1 < s.length) {
      bytes += 4;
      k++;
    } else bytes += 3;
  }
  return bytes;
}
