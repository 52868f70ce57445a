/**
 * The command line of `deno task ingest`: import a file, or commit or discard a staged run.
 *
 * @module
 */
import type { RunMode } from "../core/runs/run.ts";
import { type Encoding, encodingNamed } from "../core/stages/decode.ts";
import type { FileFormat } from "../core/stages/parse.ts";
import type { ColumnMapping } from "../core/stages/map_headers/header_match.ts";
import { parseMapping } from "../core/parse_mapping.ts";
import { choice, COMMON_FLAGS, databaseUrl, parseFlags, UsageError } from "./args.ts";

/** `deno task ingest --help`. */
export const INGEST_USAGE = `Usage:
  deno task ingest <type> <file> [--staged] [options]   import a CSV, TSV, JSON, NDJSON or XLSX file
  deno task ingest --commit <run-id> [options]          commit a staged run
  deno task ingest --discard <run-id> [options]         discard a staged run

Options:
  --staged                  stage for review instead of importing directly (= --mode staged)
  --mode direct|staged      how to import (default direct)
  --delimiter ,|;|tab|\\|    CSV field delimiter (default: detected; tab for .tsv files)
  --encoding utf-8|latin1|windows-1252
                            the file's encoding (default utf-8; a BOM wins)
  --sheet <name>            the workbook's sheet to read (.xlsx; default the first)
  --mapping <json>          file header → column, e.g. '{"Site": "facility_id"}' (null ignores
                            a column); confirms a saved mapping the file's headers would use
  --report <path>           write the error report (invalid rows with their errors) here
                            (default: a new temp directory, only when rows are invalid)
  --database-url <url>      postgres://… (default DATABASE_URL, else PGlite in
                            INTAKE_DATA_DIR, default .data/)
  --json                    print the run as one JSON object on stdout
  -h, --help                show this help

Exit codes: 0 done, 1 data refused (run failed or any row invalid) or action refused,
2 bad usage (also an unknown type or unreadable file), 3 database unavailable or in use,
130 interrupted. See docs/cli.md.`;

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const DELIMITERS = { ",": ",", ";": ";", "tab": "\t", "\t": "\t", "|": "|" } as const;
type Delimiter = typeof DELIMITERS[keyof typeof DELIMITERS];

/** Shared by every action. */
interface Common {
  databaseUrl: string | undefined;
  json: boolean;
}

/** A parsed `deno task ingest` command line. */
export type IngestCommand =
  | { action: "help" }
  | Common & {
    action: "ingest";
    type: string;
    path: string;
    mode: RunMode;
    format: FileFormat;
    contentType: string;
    delimiter: Delimiter | undefined;
    encoding: Encoding | undefined;
    sheet: string | undefined;
    mapping: ColumnMapping | undefined;
    report: string | undefined;
  }
  | Common & { action: "commit" | "discard"; runId: string };

const FLAGS = {
  ...COMMON_FLAGS,
  staged: { type: "boolean" },
  mode: { type: "string" },
  commit: { type: "string" },
  discard: { type: "string" },
  delimiter: { type: "string" },
  encoding: { type: "string" },
  sheet: { type: "string" },
  mapping: { type: "string" },
  report: { type: "string" },
} as const;

/** Parses the arguments; throws {@linkcode UsageError} when they are bad. */
export function parseIngestArgs(args: readonly string[]): IngestCommand {
  const { values, positionals } = parseFlags(args, FLAGS, true);
  if (values.help) return { action: "help" };
  const common = { databaseUrl: databaseUrl(values["database-url"]), json: values.json ?? false };

  if (values.commit !== undefined || values.discard !== undefined) {
    if (values.commit !== undefined && values.discard !== undefined) {
      throw new UsageError("Use either --commit or --discard, not both");
    }
    const action = values.commit !== undefined ? "commit" : "discard";
    const ingestOnly = ["staged", "mode", "delimiter", "encoding", "sheet", "mapping", "report"]
      .filter((name) => values[name as keyof typeof values] !== undefined);
    if (positionals.length || ingestOnly.length) {
      const extra = positionals.length ? `"${positionals[0]}"` : `--${ingestOnly[0]}`;
      throw new UsageError(`--${action} takes a run id only, not ${extra}`);
    }
    const runId = (values.commit ?? values.discard)!;
    if (!runId) throw new UsageError(`--${action} needs a run id`);
    return { ...common, action, runId };
  }

  if (positionals.length < 2) {
    throw new UsageError(
      positionals.length === 0 ? "Missing the upload type and the file" : "Missing the file",
    );
  }
  if (positionals.length > 2) throw new UsageError(`Unexpected argument "${positionals[2]}"`);
  const [type, path] = positionals;
  const mode = values.mode === undefined
    ? undefined
    : choice("--mode", values.mode, ["direct", "staged"] as const);
  if (values.staged && mode === "direct") {
    throw new UsageError("--staged contradicts --mode direct");
  }
  const kind = formatOf(path);
  let delimiter: Delimiter | undefined = kind.delimiter;
  if (values.delimiter !== undefined) {
    if (kind.format !== "csv") {
      throw new UsageError(`--delimiter applies to CSV and TSV files, not ${kind.format}`);
    }
    delimiter = DELIMITERS[
      choice(
        "--delimiter",
        values.delimiter,
        Object.keys(DELIMITERS) as (keyof typeof DELIMITERS)[],
      )
    ];
  }
  if (values.sheet !== undefined && kind.format !== "xlsx") {
    throw new UsageError(`--sheet applies to Excel (.xlsx) files, not ${kind.format}`);
  }
  let encoding: Encoding | undefined;
  if (values.encoding !== undefined) {
    if (kind.format === "xlsx") throw new UsageError("--encoding does not apply to Excel files");
    encoding = encodingNamed(values.encoding);
    if (!encoding) {
      throw new UsageError(
        `Invalid --encoding "${values.encoding}": use one of utf-8, latin1, windows-1252`,
      );
    }
  }
  let mapping: ColumnMapping | undefined;
  if (values.mapping !== undefined) {
    try {
      mapping = parseMapping(values.mapping);
    } catch (err) {
      throw new UsageError(`Invalid --mapping: ${(err as Error).message}`);
    }
  }
  return {
    ...common,
    action: "ingest",
    type,
    path,
    mode: values.staged ? "staged" : mode ?? "direct",
    format: kind.format,
    contentType: kind.contentType,
    delimiter,
    encoding,
    sheet: values.sheet,
    mapping,
    report: values.report,
  };
}

/** The format a file name implies, as the upload route reads it from names and media types. */
function formatOf(path: string): { format: FileFormat; contentType: string; delimiter?: "\t" } {
  const extension = path.match(/\.([a-z0-9]+)$/i)?.[1]?.toLowerCase();
  if (extension === "xlsx") return { format: "xlsx", contentType: XLSX_TYPE };
  if (extension === "ndjson" || extension === "jsonl") {
    return { format: "ndjson", contentType: "application/x-ndjson" };
  }
  if (extension === "json") return { format: "json", contentType: "application/json" };
  if (extension === "tsv" || extension === "tab") {
    return { format: "csv", contentType: "text/tab-separated-values", delimiter: "\t" };
  }
  // Anything else is read as CSV; the decode and parse stages refuse what is not (XLSX, PDF, …).
  return { format: "csv", contentType: "text/csv" };
}
