/**
 * How the CLI shows one run: a summary table of its id, status and counts, and its typed error
 * with the details spelled out (missing columns as a list, the line of a parse error, …).
 *
 * @module
 */
import { formatBytes } from "../components/format.ts";
import type { Run, RunError } from "../core/runs/run.ts";
import { formatCount, formatFields } from "./table.ts";

/**
 * The run as label/value lines; `elapsedMs` is the time the command waited for it, which gives
 * the rate in rows per second.
 */
export function formatRunSummary(run: Run, elapsedMs?: number): string {
  const c = run.counts;
  const fields: Array<[string, string]> = [
    ["Run", run.id],
    ["Type", run.uploadType],
    ["File", fileLabel(run)],
    ["Mode", run.mode],
    ["Status", run.status],
    ["Rows", formatCount(c.rows)],
    ["New", formatCount(c.new)],
    ["Changed", formatCount(c.changed)],
    ["Unchanged", formatCount(c.unchanged)],
    ["Invalid", formatCount(c.invalid)],
    ["Deleted", formatCount(c.deleted)],
    ...(c.excluded > 0 ? [["Excluded", formatCount(c.excluded)] as [string, string]] : []),
  ];
  if (elapsedMs !== undefined) {
    const seconds = elapsedMs / 1000;
    fields.push(["Duration", `${seconds.toFixed(1)} s`]);
    if (seconds > 0 && c.rows > 0) fields.push(["Rate", `${formatCount(c.rows / seconds)} rows/s`]);
  }
  return formatFields(fields);
}

function fileLabel(run: Run): string {
  if (!run.fileName) return "—";
  // A run that failed before its upload was read (a refused queued job, say) has no size.
  return run.fileBytes > 0 ? `${run.fileName} (${formatBytes(run.fileBytes)})` : run.fileName;
}

// Details people act on come first; the database keeps JSON keys in its own order.
const FIRST = ["missing", "duplicate", "blank", "unexpected", "row", "line", "column", "offset"];

/**
 * The error as lines: `Error (type): message`, then each non-empty detail, lists joined with
 * commas.
 *
 * @example
 * ```ts
 * import { formatRunError } from "./run_summary.ts";
 * const text = formatRunError({
 *   type: "header_error",
 *   message: 'The header row is not valid: missing the required column "amount"',
 *   details: { missing: ["amount"], blank: [], found: ["facility", "year"] },
 * });
 * if (!text.includes("\n  missing  amount\n  found    facility, year")) throw new Error(text);
 * ```
 */
export function formatRunError(error: RunError): string {
  const rank = (name: string) => {
    const i = FIRST.indexOf(name);
    return i === -1 ? FIRST.length : i;
  };
  const fields = Object.entries(error.details)
    .filter(([, value]) => !isEmpty(value))
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([name, value]) => [`  ${name}`, formatDetail(value)] as const);
  const head = `Error (${error.type}): ${error.message}`;
  return fields.length ? `${head}\n${formatFields(fields)}` : head;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === "" ||
    (Array.isArray(value) && value.length === 0);
}

function formatDetail(value: unknown): string {
  if (Array.isArray(value)) return value.map(formatDetail).join(", ");
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.every(([, v]) => v === null || typeof v !== "object")) {
      return entries.map(([k, v]) => `${k}=${v}`).join(" ");
    }
    return JSON.stringify(value);
  }
  return String(value);
}
