/**
 * A look at the start of an upload without importing it: the header and the first data rows,
 * read by the same receive, decode and parse stages as an import, so the cells are exactly what
 * the import would see. Text formats (CSV, TSV, JSON, NDJSON) stop reading once they have the
 * rows and cancel the rest of the body; a workbook is spooled whole (its directory is at the end)
 * and only the start of its sheet is read.
 *
 * This module is browser compatible.
 *
 * @example The header and first rows of a CSV file
 * ```ts
 * import { inspectFile } from "./inspect.ts";
 * const body = new Blob(["Site,Name\nA-1,North\nA-2,South\n"]).stream();
 * const seen = await inspectFile({ body, format: "csv", maxBytes: 1024 });
 * if (seen.header.join() !== "Site,Name" || seen.rows.length !== 2) throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { IngestError } from "./errors.ts";
import type { UploadLimits } from "./limits.ts";
import { decode, type Encoding } from "./stages/decode.ts";
import type { Delimiter } from "./stages/parse/csv.ts";
import type { SourceRecord } from "./stages/parse/source_record.ts";
import { type FileFormat, parseRecords, parseWorkbook } from "./stages/parse.ts";
import { receive } from "./stages/receive.ts";
import type { Spool } from "./ports.ts";

/** Data rows an inspection returns unless told otherwise. */
export const PREVIEW_ROWS = 5;

/** The file to look at, and how. */
export interface InspectRequest {
  body: ReadableStream<Uint8Array>;
  format: FileFormat;
  /** Largest accepted file; more is `file_too_large`, as for an import. */
  maxBytes: number;
  /** Declared encoding; UTF-8 (strict) when absent. */
  encoding?: Encoding;
  /** CSV field delimiter; detected when absent. */
  delimiter?: Delimiter;
  /** XLSX: the sheet to read; the first sheet when absent. */
  sheet?: string;
  /** XLSX: where the workbook is kept while it is read; in memory when absent. */
  spool?: Spool;
  /** The upload's memory budget and the readers' bounds. @default {uploadLimits()} */
  limits?: UploadLimits;
  /** Data rows to return. @default {PREVIEW_ROWS} */
  rows?: number;
  /** Aborting stops reading with `cancelled`. */
  signal?: AbortSignal;
}

/** What the start of a file holds. */
export interface FileInspection {
  format: FileFormat;
  /** XLSX: every sheet's name, in workbook order. */
  sheets?: string[];
  header: string[];
  /** The first data rows' cells, as the import would read them. */
  rows: string[][];
}

/**
 * Reads the header and the first data rows of an upload, without creating a run.
 *
 * @param request The body, its format and limits.
 * @returns The header, the first rows and, for a workbook, its sheets.
 * @throws {IngestError} The import's errors for the same bytes: `file_too_large`, `limit_exceeded`,
 * `unsupported_file_type`, `encoding_error`, `parse_error`, `header_error` (a blank workbook
 * header cell), and `bad_request` for an empty file or an unknown sheet.
 */
export async function inspectFile(request: InspectRequest): Promise<FileInspection> {
  const wanted = request.rows ?? PREVIEW_ROWS;
  // Stops the body once the rows are in (or on the caller's abort).
  const stop = new AbortController();
  const onAbort = () => stop.abort(request.signal!.reason);
  request.signal?.addEventListener("abort", onAbort, { once: true });
  const received = receive(request.body, { maxBytes: request.maxBytes, signal: stop.signal });
  received.stats.catch(() => {});
  let sheets: string[] | undefined;
  const { format, encoding, delimiter, limits } = request;
  const batchSize = wanted + 1;
  const records = format === "xlsx"
    ? parseWorkbook(received.stream, {
      spool: request.spool,
      sheet: request.sheet,
      // As for an import: more than 10× the upload limit smells of a zip bomb.
      maxExpandedBytes: 10 * request.maxBytes,
      limits,
      batchSize,
      onSheets: (names) => sheets = names,
    })
    : parseRecords(decode(received.stream, { encoding }), {
      format,
      delimiter,
      batchSize,
      limits,
    });
  const found: SourceRecord[] = [];
  try {
    for await (const batch of records) {
      found.push(...batch);
      if (found.length > wanted) break;
    }
  } finally {
    request.signal?.removeEventListener("abort", onAbort);
    stop.abort();
  }
  if (found.length === 0) {
    throw new IngestError("bad_request", "The file is empty: it has no header row", {});
  }
  const [header, ...rows] = found.map((r) => r.fields);
  return { format, ...(sheets ? { sheets } : {}), header, rows: rows.slice(0, wanted) };
}
