/**
 * `deno task runs`: the run history, newest first, as an aligned table (or `--json`, the shape
 * of `GET /api/v1/runs`). Exit codes: 0 listed, 2 bad usage (including an unknown type or
 * status), 3 database unavailable or in use.
 *
 * @example
 * ```sh
 * deno task runs
 * deno task runs --type facilities --status staged --limit 5
 * ```
 *
 * @module
 */
import { formatElapsed, formatTime } from "../components/format.ts";
import { type Run, RUN_STATUSES } from "../core/runs/run.ts";
import { closeHostServices, type HostServices } from "../host/deno/services.ts";
import { choice, COMMON_FLAGS, databaseUrl, parseFlags, wholeNumber } from "./args.ts";
import { type CliIo, processIo } from "./cli_io.ts";
import { loadCliUploadTypes, openCliServices } from "./cli_services.ts";
import { EXIT } from "./exit_codes.ts";
import { reportFailure } from "./report_failure.ts";
import { formatCount, formatTable } from "./table.ts";

/** `deno task runs --help`. */
export const RUNS_USAGE =
  `Usage: deno task runs [--type <type>] [--status <status>] [--limit N] [--json]

Lists recent runs, newest first.

Options:
  --type <type>          only runs of this upload type
  --status <status>      only runs in this status (${RUN_STATUSES.join(", ")})
  --limit N              at most N runs, 1 to 500 (default 20)
  --database-url <url>   postgres://… (default DATABASE_URL, else PGlite in INTAKE_DATA_DIR,
                         default .data/)
  --json                 print {"runs": […], "nextCursor": …} as GET /api/v1/runs does
  -h, --help             show this help

Exit codes: 0 listed, 2 bad usage, 3 database unavailable or in use. See docs/cli.md.`;

const FLAGS = {
  ...COMMON_FLAGS,
  type: { type: "string" },
  status: { type: "string" },
  limit: { type: "string" },
} as const;

/** Runs `deno task runs` and returns its exit code. */
export async function runRunsCli(args: readonly string[], io: CliIo): Promise<number> {
  let json = false;
  let services: HostServices | undefined;
  try {
    const { values } = parseFlags(args, FLAGS, false);
    if (values.help) {
      io.out(RUNS_USAGE);
      return EXIT.ok;
    }
    json = values.json ?? false;
    const status = values.status === undefined
      ? undefined
      : choice("--status", values.status, RUN_STATUSES);
    const limit = values.limit === undefined ? 20 : wholeNumber("--limit", values.limit, 1, 500);
    const url = databaseUrl(values["database-url"]);
    // An unknown type is a usage error (listing the known ones), found before the database opens.
    if (values.type !== undefined) (await loadCliUploadTypes()).get(values.type);
    services = await openCliServices(io.env, url);
    const page = await services.store.listRuns({ uploadType: values.type, status, limit });
    if (json) io.out(JSON.stringify({ runs: page.items, nextCursor: page.nextCursor }));
    else io.out(formatRunsTable(page.items, page.nextCursor !== null));
    return EXIT.ok;
  } catch (err) {
    return reportFailure(err, json, io);
  } finally {
    if (services) await closeHostServices(services).catch(() => {});
  }
}

const COLUMNS = [
  { header: "ID" },
  { header: "TYPE" },
  { header: "STATUS" },
  { header: "FILE" },
  { header: "ROWS", align: "right" },
  { header: "NEW", align: "right" },
  { header: "CHANGED", align: "right" },
  { header: "UNCHANGED", align: "right" },
  { header: "INVALID", align: "right" },
  { header: "DELETED", align: "right" },
  { header: "STARTED (UTC)" },
  { header: "DURATION", align: "right" },
] as const;
const COUNTS = ["rows", "new", "changed", "unchanged", "invalid", "deleted"] as const;
const FILE_WIDTH = 24;

/** The runs as an aligned table, one per line; `more` notes that older runs were left out. */
export function formatRunsTable(runs: readonly Run[], more = false): string {
  if (runs.length === 0) return "No runs.";
  const rows = runs.map((run) => [
    run.id,
    run.uploadType,
    run.status,
    shorten(run.fileName ?? "—", FILE_WIDTH),
    ...COUNTS.map((name) => formatCount(run.counts[name])),
    formatTime(run.startedAt ?? run.createdAt).replace(" UTC", ""),
    formatElapsed(run.startedAt, run.finishedAt ?? run.stagedAt),
  ]);
  const table = formatTable(COLUMNS, rows);
  return more ? `${table}\n(older runs not shown: raise --limit)` : table;
}

// Long names lose their middle, so the start and the extension stay readable.
function shorten(text: string, width: number): string {
  if (text.length <= width) return text;
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

if (import.meta.main) {
  Deno.exit(await runRunsCli(Deno.args, processIo()));
}
