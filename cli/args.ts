/**
 * Command-line parsing shared by the CLI commands: `node:util` `parseArgs` in strict mode, with
 * its errors and our own checks turned into {@linkcode UsageError}s (exit code 2).
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** Bad usage: an unknown flag, a missing or malformed value, a missing argument. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Flags every command takes. */
export const COMMON_FLAGS = {
  "database-url": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/** Parses `args` against `options`; throws {@linkcode UsageError} for anything it cannot read. */
export function parseFlags<const T extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: T,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (err) {
    // node:util reports every parse problem with an ERR_PARSE_ARGS_* code and a clear message.
    const code = (err as { code?: unknown }).code;
    const message = (err as Error).message;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      // The message goes on about `--` for positionals; the flag is what matters.
      throw new UsageError(`Unknown flag "${message.match(/'([^']*)'/)?.[1] ?? message}"`);
    }
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
      throw new UsageError(message);
    }
    throw err;
  }
}

/** Checks a `--database-url` value; only the scheme goes into the message (it may hold a password). */
export function databaseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^postgres(ql)?:\/\//i.test(value)) return value;
  throw new UsageError(
    `Invalid --database-url with scheme "${value.split(":")[0]}": ` +
      "expected postgres://user:password@host:port/db",
  );
}

/** Returns `value` when it is one of `choices`, else throws naming them. */
export function choice<T extends string>(
  flag: string,
  value: string,
  choices: readonly T[],
): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`Invalid ${flag} "${value}": use one of ${choices.join(", ")}`);
}

/** Reads a whole number from `min` to `max`. */
export function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (/^\d+$/.test(value) && n >= min && n <= max) return n;
  throw new UsageError(`Invalid ${flag} "${value}": expected a whole number from ${min} to ${max}`);
}
