/**
 * The CLI's exit codes, one meaning each, so scripts can tell "fix the file" from "fix the
 * command" from "try again later" (docs/cli.md).
 *
 * @module
 */
import type { IngestErrorType } from "../core/errors.ts";

/** Exit codes of every CLI command. */
export const EXIT = {
  /** Done: every row imported (or staged, committed, discarded, listed). */
  ok: 0,
  /** The data or the action was refused: a failed run, invalid rows, a conflict. */
  rejected: 1,
  /** Bad usage: unknown flag, missing argument, unknown upload type, unreadable file. */
  usage: 2,
  /** The command could not run: database unavailable or in use, bad config, unexpected error. */
  unavailable: 3,
  /** Interrupted with Ctrl-C while the file was read: the run is failed as `cancelled`. */
  interrupted: 130,
} as const;

const UNAVAILABLE: ReadonlySet<IngestErrorType> = new Set([
  "database_unavailable",
  "interrupted",
  "internal_error",
]);

/** The exit code for a typed error. */
export function exitCodeFor(type: IngestErrorType): number {
  if (type === "unknown_upload_type") return EXIT.usage;
  if (type === "cancelled") return EXIT.interrupted;
  return UNAVAILABLE.has(type) ? EXIT.unavailable : EXIT.rejected;
}
