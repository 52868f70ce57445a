/**
 * The CSV reader of stage `parse`: decoded text → batches of records, streaming.
 *
 * RFC 4180 with the leniency real files need: CRLF, LF and CR-only line ends (mixed too),
 * quoted fields with doubled quotes and line breaks, ragged rows returned as they are (the
 * validate stage flags them), blank lines skipped but counted as spreadsheet rows (before the
 * header, lines of only spaces or empty cells are blank lines too). A stray
 * quote inside an unquoted field, and text after a closing quote, are kept literally
 * (`a"b` → `a"b`, `"a"b` → `ab`). See docs/parser.md for the measurements behind the parser.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { CsvScanner } from "./csv/parser.ts";
import type { SourceRecord } from "./source_record.ts";
import { type Delimiter, detectDelimiter } from "./csv/detect_delimiter.ts";
import { uploadLimits } from "../../limits.ts";

export type { Delimiter };
export { detectDelimiter };

/** How to parse; every field is optional. */
export interface ParseOptions {
  /** Field delimiter; detected from the first lines when absent. */
  delimiter?: Delimiter;
  /** Records per yielded batch. @default {1000} */
  batchSize?: number;
  /** Largest field in UTF-8 bytes; larger → limit_exceeded. @default {16 MiB} */
  maxFieldBytes?: number;
  /** Largest record (its fields' UTF-8 bytes together); larger → limit_exceeded. @default {16 MiB} */
  maxRecordBytes?: number;
  /** Most fields in one record; more → limit_exceeded. @default {20_000} */
  maxColumns?: number;
}

/** Text read before the delimiter is guessed (the first lines of almost any file). */
const SAMPLE_CHARS = 64 * 1024;

/**
 * Streaming RFC 4180 parser: text chunks → batches of records. The first record yielded is
 * the header. Empty input (or only blank lines) yields nothing.
 *
 * @param text Decoded text chunks, cut anywhere.
 * @param options Delimiter, batch size and limits.
 * @returns Batches of at most `batchSize` records, never empty.
 * @throws {IngestError} `parse_error` with `line` for an unclosed quote; `limit_exceeded` for a
 * field larger than `maxFieldBytes`, a record larger than `maxRecordBytes` or with more than
 * `maxColumns` fields.
 *
 * @example Parse a small file
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * const records = [];
 * for await (const batch of parseCsv(["id;note\r\n", '1;"a;b"\r\n\r\n2;x'])) records.push(...batch);
 * const last = records[2];
 * if (last.fields[1] !== "x" || last.row !== 4 || last.line !== 4) throw new Error("unexpected");
 * ```
 */
export async function* parseCsv(
  text: AsyncIterable<string> | Iterable<string> | ReadableStream<string>,
  options: ParseOptions = {},
): AsyncGenerator<SourceRecord[]> {
  const defaults = uploadLimits();
  const settings = {
    batchSize: options.batchSize ?? 1000,
    maxFieldBytes: options.maxFieldBytes ?? defaults.maxFieldBytes,
    maxRecordBytes: options.maxRecordBytes ?? defaults.maxRecordBytes,
    maxColumns: options.maxColumns ?? defaults.maxColumns,
  };
  let scanner = options.delimiter
    ? new CsvScanner({ ...settings, delimiter: options.delimiter })
    : undefined;
  let sample = "";
  let first = true;
  let started = false; // the header has been yielded
  for await (let chunk of chunksOf(text)) {
    if (chunk.length === 0) continue;
    if (first) {
      first = false;
      // decode() strips the BOM already; text from elsewhere may still carry one.
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (!scanner) {
      sample += chunk;
      if (sample.length < SAMPLE_CHARS) continue;
      scanner = new CsvScanner({ ...settings, delimiter: detectDelimiter(sample) });
      chunk = sample;
      sample = "";
    }
    scanner.push(chunk);
    yield* skipBlankStart(scanner.take());
  }
  scanner ??= new CsvScanner({ ...settings, delimiter: detectDelimiter(sample) });
  scanner.push(sample);
  scanner.finish();
  yield* skipBlankStart(scanner.take());

  // Before the header, a line of only spaces or empty cells (`,,,` from a spreadsheet) is a
  // blank line too: no header is all blank, and a file of nothing else is empty.
  function* skipBlankStart(batches: SourceRecord[][]): Generator<SourceRecord[]> {
    for (const batch of batches) {
      if (started) {
        yield batch;
        continue;
      }
      const header = batch.findIndex((r) => r.fields.some((f) => f.trim() !== ""));
      if (header === -1) continue;
      started = true;
      yield header === 0 ? batch : batch.slice(header);
    }
  }
}

/** Iterates a ReadableStream by its reader (not every runtime makes streams async-iterable). */
async function* chunksOf(
  source: AsyncIterable<string> | Iterable<string> | ReadableStream<string>,
): AsyncGenerator<string> {
  if (!("getReader" in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  let done = false;
  try {
    while (true) {
      const result = await reader.read();
      if (result.done) {
        done = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Stopped early (a parse error or the consumer gave up): stop the upstream stages too.
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
