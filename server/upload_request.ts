/**
 * Turns an upload request (multipart form or raw CSV body) into the pipeline's input: the file
 * stream, its name, media type, encoding and delimiter, and the requested mode.
 *
 * @module
 */
import { IngestError } from "../core/errors.ts";
import { type Encoding, encodingNamed } from "../core/stages/decode.ts";
import type { RunMode } from "../core/runs/run.ts";
import { parseMapping } from "../core/parse_mapping.ts";
import type { ColumnMapping } from "../core/stages/map_headers/header_match.ts";
import type { FileFormat } from "../core/stages/parse.ts";
import { readMultipartFile } from "./multipart.ts";
import { choice, flag, readQuery, text } from "./query_params.ts";

/**
 * The query parameters of an upload (and of an inspection, which reads the same request): each
 * may also come as a form field before the file, except `async`.
 */
export const UPLOAD_QUERY = {
  mode: choice(["direct", "staged"] as const),
  mapping: text(1_000_000),
  encoding: text(100),
  sheet: text(1000),
  async: flag,
};
import { cleanFileName } from "./file_name.ts";

/** What the pipeline needs to know about an uploaded file. */
export interface UploadInput {
  body: ReadableStream<Uint8Array>;
  fileName: string | null;
  contentType: string | null;
  mode: RunMode;
  encoding: Encoding | undefined;
  format: FileFormat;
  delimiter: "\t" | undefined;
  /** XLSX: the sheet asked for (`?sheet=` or a form field before the file). */
  sheet: string | undefined;
  /** A column mapping (`?mapping=` or a form field before the file, JSON). */
  mapping: ColumnMapping | undefined;
}

const CSV_TYPES = new Set([
  "text/csv",
  "application/csv",
  "text/x-csv",
  "text/plain",
  // Browsers on Windows label .csv files with Excel's legacy type.
  "application/vnd.ms-excel",
]);
const TSV_TYPES = new Set(["text/tab-separated-values", "text/tsv"]);
const JSON_TYPES = new Set(["application/json", "text/json"]);
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const NDJSON_TYPES = new Set([
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonlines",
]);
const SUPPORTED = [
  "text/csv",
  "text/tab-separated-values",
  "application/json",
  "application/x-ndjson",
  XLSX_TYPE,
];
/**
 * The request bodies {@linkcode readUpload} reads, as OpenAPI media types: a form whose `file`
 * part is the file (`mode`, `mapping` and `sheet` fields before it), or the file itself.
 */
export const UPLOAD_BODY = {
  "multipart/form-data": {
    schema: {
      type: "object",
      properties: {
        mode: UPLOAD_QUERY.mode.schema,
        mapping: { type: "string", description: "A JSON column mapping, before the file" },
        sheet: { type: "string", description: "A workbook's sheet, before the file" },
        file: { type: "string", contentMediaType: "application/octet-stream" },
      },
      required: ["file"],
    },
  },
  ...Object.fromEntries(SUPPORTED.map((type) => [type, { schema: { contentMediaType: type } }])),
};

const GENERIC_TYPES = new Set(["", "application/octet-stream"]);

/** Reads the mode, encoding and file out of an upload request. */
export async function readUpload(req: Request, url: URL): Promise<UploadInput> {
  if (!req.body) throw new IngestError("bad_request", "No file was uploaded", {});
  let query;
  try {
    query = readQuery(url, UPLOAD_QUERY);
  } catch (err) {
    await req.body.cancel().catch(() => {});
    throw err;
  }
  const requestType = req.headers.get("content-type") ?? "";
  const [mediaType, charset] = parseMediaType(requestType);

  let file: { body: ReadableStream<Uint8Array>; fileName: string | null; contentType: string };
  let fields: Record<string, string> = {};
  if (mediaType === "multipart/form-data") {
    const part = await readMultipartFile(req.body, requestType);
    file = {
      body: part.stream,
      fileName: cleanFileName(part.fileName),
      contentType: part.contentType ?? "",
    };
    fields = part.fields;
  } else {
    const name = req.headers.get("x-file-name");
    file = {
      body: req.body,
      fileName: name ? cleanFileName(decodeName(name)) : null,
      contentType: requestType,
    };
  }
  const [fileType, fileCharset] = parseMediaType(file.contentType);
  // A form may send the mode as a field before the file (the page's upload form does).
  const mode = query.mode ?? fields.mode ?? "direct";
  let kind: { format: FileFormat; delimiter?: "\t" };
  let mapping: ColumnMapping | undefined;
  let encodingOption: Encoding | undefined;
  try {
    if (mode !== "direct" && mode !== "staged") {
      throw new IngestError("bad_request", `Invalid mode "${mode}": use direct or staged`, {
        mode,
      });
    }
    kind = formatFor(fileType, file.fileName);
    const mappingText = query.mapping ?? fields.mapping;
    mapping = mappingText ? parseMapping(mappingText) : undefined;
    const encodingName = query.encoding ?? fileCharset ?? charset;
    encodingOption = encodingName ? encoding(encodingName) : undefined;
  } catch (err) {
    await file.body.cancel().catch(() => {});
    throw err;
  }
  return {
    body: file.body,
    fileName: file.fileName,
    contentType: fileType || null,
    mode: mode as RunMode,
    encoding: encodingOption,
    format: kind.format,
    delimiter: kind.delimiter,
    sheet: query.sheet ?? fields.sheet ?? undefined,
    mapping,
  };
}

/**
 * The format the file's name and media type imply (tab-delimited for TSV); throws for anything
 * else. The parse stage checks the content agrees.
 */
function formatFor(
  mediaType: string,
  fileName: string | null,
): { format: FileFormat; delimiter?: "\t" } {
  const extension = fileName?.match(/\.([a-z0-9]+)$/i)?.[1]?.toLowerCase();
  const generic = GENERIC_TYPES.has(mediaType);
  if (extension === "xlsx" || mediaType === XLSX_TYPE) return { format: "xlsx" };
  if (extension === "ndjson" || extension === "jsonl" || NDJSON_TYPES.has(mediaType)) {
    return { format: "ndjson" };
  }
  if (extension === "json" || JSON_TYPES.has(mediaType)) return { format: "json" };
  if (TSV_TYPES.has(mediaType) || extension === "tsv" || extension === "tab") {
    return { format: "csv", delimiter: "\t" };
  }
  const nameFits = extension === undefined || extension === "csv" || extension === "txt";
  if (nameFits && (CSV_TYPES.has(mediaType) || generic)) return { format: "csv" };
  const what = extension && !nameFits ? `a .${extension} file` : `"${mediaType}" content`;
  throw new IngestError(
    "unsupported_file_type",
    `Cannot import ${what}: upload a CSV, TSV, JSON, NDJSON or Excel (.xlsx) file`,
    { contentType: mediaType || null, fileName, supported: SUPPORTED },
  );
}

function encoding(name: string): Encoding {
  const found = encodingNamed(name);
  if (found) return found;
  throw new IngestError(
    "bad_request",
    `Unsupported encoding "${name}": use utf-8, latin1 or windows-1252`,
    { encoding: name, supported: ["utf-8", "latin1", "windows-1252"] },
  );
}

/** Splits `text/csv; charset=latin1` into the lower-cased media type and the charset. */
function parseMediaType(header: string): [string, string | undefined] {
  const [type, ...params] = header.split(";");
  const charset = params.map((p) => p.trim().match(/^charset="?([^";]+)"?$/i)?.[1]).find(Boolean);
  return [type.trim().toLowerCase(), charset];
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
