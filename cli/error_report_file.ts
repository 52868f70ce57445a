/**
 * Writes a run's error report (`errors.csv` of the API, from `core/error_report.ts`) to a file:
 * the path given with `--report`, or a new temporary directory.
 *
 * @module
 */
import { errorReport } from "../core/error_report.ts";
import type { Run } from "../core/runs/run.ts";
import type { Store } from "../core/ports.ts";

/** Streams the invalid rows of `run` with their errors to `path` (or a temp file); returns the path. */
export async function writeErrorReport(store: Store, run: Run, path?: string): Promise<string> {
  const target = path ??
    `${await Deno.makeTempDir({ prefix: "intake-errors-" })}/errors-${run.id}.csv`;
  const file = await Deno.open(target, { write: true, create: true, truncate: true });
  // pipeTo closes the file when the report ends, and aborts it when the report fails.
  await errorReport(store, run).pipeTo(file.writable);
  return target;
}
