/**
 * The one place a CLI command turns a thrown error into output and an exit code.
 *
 * @module
 */
import { UploadTypeConfigError } from "../core/config/upload_type_schema.ts";
import { IngestError } from "../core/errors.ts";
import { TargetTableError } from "../core/target_readiness.ts";
import { UsageError } from "./args.ts";
import type { CliIo } from "./cli_io.ts";
import { EXIT, exitCodeFor } from "./exit_codes.ts";
import { formatRunError } from "./run_summary.ts";

/**
 * Prints what went wrong on stderr (and, with `--json`, a typed error as `{"error": …}` on
 * stdout, the API's shape) and returns the exit code.
 */
export function reportFailure(err: unknown, json: boolean, io: CliIo): number {
  if (err instanceof UsageError) {
    io.err(`${err.message}\n\nRun with --help for usage.`);
    return EXIT.usage;
  }
  if (err instanceof IngestError) {
    if (json) io.out(JSON.stringify({ error: err.toJSON() }));
    io.err(formatRunError(err.toJSON()));
    return exitCodeFor(err.type);
  }
  // A broken upload-type config file, or a database without a type's table, is the operator's to
  // fix, like an unavailable database.
  const known = err instanceof UploadTypeConfigError || err instanceof TargetTableError;
  const what = known ? "" : "Unexpected error: ";
  io.err(`Error: ${what}${err instanceof Error ? err.message : String(err)}`);
  return EXIT.unavailable;
}
