/**
 * Stage `parse`: the upload → batches of records (header first), the same records whatever the
 * format. Workbooks through the XLSX reader (`parse/xlsx.ts`, from the spooled bytes); every text
 * format from decoded text: CSV/TSV through the CSV parser, JSON arrays and
 * NDJSON through the JSON reader; CSV cells lose
 * the formula guard of Intake's exports (`'=x` → `=x`). The declared
 * format is checked against the content, so a JSON file sent as CSV (or the other way round) is
 * refused with what was detected instead of failing later with a puzzling header error.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { IngestError } from "../errors.ts";
import { type JsonFormat, parseJsonRecords } from "./parse/json.ts";
import { unescapeFormula } from "../csv/formula_escape.ts";
import { type UploadLimits, uploadLimits } from "../limits.ts";
import { type Delimiter, parseCsv } from "./parse/csv.ts";
import type { SourceRecord } from "./parse/source_record.ts";
import { parseXlsxRecords, type XlsxOptions } from "./parse/xlsx.ts";
import type { Spool } from "../ports.ts";
import { memorySpool } from "./parse/xlsx/byte_source.ts";
import { decodeSpan } from "./decode.ts";
import { defineStageSpan, type StageSpans } from "../telemetry.ts";

/** The text formats Intake reads. */
export type TextFormat = "csv" | JsonFormat;

/** Every format Intake reads: the text ones and Excel workbooks. */
export type FileFormat = TextFormat | "xlsx";

/** Options of {@linkcode parseRecords}. */
export interface ParseRecordsOptions {
  /** The declared format; CSV when absent. */
  format?: TextFormat;
  /** CSV only: the field delimiter, detected when absent. */
  delimiter?: Delimiter;
  /** Records per yielded batch. @default {1000} */
  batchSize?: number;
  /** The upload's bounds. @default {uploadLimits()} */
  limits?: UploadLimits;
  /** The run's stage spans: `ingest.parse` opens as parsing is set up. */
  spans?: StageSpans;
}

/** The `ingest.parse` span, closed with the bytes read and the records parsed (header included). */
export const parseSpan = defineStageSpan("parse", (counts: { bytes: number; records: number }) => ({
  "ingest.bytes": counts.bytes,
  "ingest.rows": counts.records,
}));

/** Parses decoded text in its declared format, after checking the content agrees. */
export function parseRecords(
  text: AsyncIterable<string>,
  options: ParseRecordsOptions = {},
): AsyncGenerator<SourceRecord[]> {
  if (options.spans) parseSpan.open(options.spans);
  return readText(text, options);
}

/** Options of {@linkcode parseWorkbook}. */
export interface ParseWorkbookOptions extends XlsxOptions {
  /** Where the upload is kept while the workbook is read. @default {memorySpool} */
  spool?: Spool;
  /** The run's stage spans: `ingest.decode` and `ingest.parse` open as reading is set up. */
  spans?: StageSpans;
}

/** Spools a workbook (it needs random access) and reads the chosen sheet's rows. */
export function parseWorkbook(
  bytes: ReadableStream<Uint8Array>,
  options: ParseWorkbookOptions = {},
): AsyncGenerator<SourceRecord[]> {
  if (options.spans) {
    // The XLSX reader decodes the workbook's XML itself: the decode span covers the same bytes.
    decodeSpan.open(options.spans);
    parseSpan.open(options.spans);
  }
  return readWorkbook(bytes, options);
}

async function* readWorkbook(
  bytes: ReadableStream<Uint8Array>,
  { spool = memorySpool, spans: _, ...options }: ParseWorkbookOptions,
): AsyncGenerator<SourceRecord[]> {
  const source = await spool(bytes);
  try {
    yield* parseXlsxRecords(source, options);
  } finally {
    await source.close();
  }
}

async function* readText(
  text: AsyncIterable<string>,
  options: ParseRecordsOptions,
): AsyncGenerator<SourceRecord[]> {
  const format = options.format ?? "csv";
  const checked = checkContent(text, format);
  const { delimiter, batchSize, limits = uploadLimits() } = options;
  const { maxFieldBytes, maxRecordBytes, maxColumns } = limits;
  yield* format === "csv"
    ? unescapeFormulas(
      parseCsv(checked, { delimiter, batchSize, maxFieldBytes, maxRecordBytes, maxColumns }),
    )
    // Either JSON format reads both shapes: the first character tells an array from NDJSON.
    : parseJsonRecords(checked, { batchSize, limits });
}

/**
 * Removes the formula guard `'` of Intake's own CSV exports from data cells (`=x` was exported as
 * `'=x`), so an export uploaded again keeps its values exactly (`core/csv/formula_escape.ts`).
 */
async function* unescapeFormulas(
  batches: AsyncIterable<SourceRecord[]>,
): AsyncGenerator<SourceRecord[]> {
  let header = true;
  for await (const batch of batches) {
    for (const record of batch) {
      if (header) {
        header = false;
        continue;
      }
      const { fields } = record;
      for (let i = 0; i < fields.length; i++) fields[i] = unescapeFormula(fields[i]);
    }
    yield batch;
  }
}

/** Passes the text through once its first characters agree with `format`. */
async function* checkContent(
  text: AsyncIterable<string>,
  format: TextFormat,
): AsyncGenerator<string> {
  let head = "";
  let checked = false;
  for await (const chunk of text) {
    if (checked) {
      yield chunk;
      continue;
    }
    head += chunk;
    const start = head.match(/\S\s*\S?/)?.[0];
    // Wait for two significant characters (or the end) before judging.
    if (start === undefined || (start.length < 2 && head.length < 64)) continue;
    assertAgrees(start, format);
    checked = true;
    yield head;
  }
  if (!checked && head !== "") {
    assertAgrees(head.match(/\S\s*\S?/)?.[0] ?? "", format);
    yield head;
  }
}

function assertAgrees(start: string, format: TextFormat): void {
  const first = start[0];
  const second = start.at(-1);
  const looksJson = first === "{" || (first === "[" && (second === "{" || second === "]"));
  if (format === "csv" && looksJson) {
    throw mismatch(format, "json", "JSON (it starts with " + first + ")");
  }
  if (format !== "csv" && first !== undefined && first !== "{" && first !== "[") {
    throw mismatch(format, "text", "plain text or CSV, not JSON");
  }
}

function mismatch(declared: TextFormat, detected: string, what: string): IngestError {
  return new IngestError(
    "unsupported_file_type",
    `The file was sent as ${declared.toUpperCase()} but its content looks like ${what}`,
    { declared, detected },
  );
}
