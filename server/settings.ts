/**
 * Settings from the environment, parsed once at start with clear errors for bad values.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `PORT` | 8000 | HTTP port |
 * | `HOSTNAME` | 127.0.0.1 | interface to listen on (the machine's own name counts as unset) |
 * | `DATABASE_URL` | unset | `postgres://…` for PostgreSQL; unset = embedded PGlite |
 * | `INTAKE_DATA_DIR` | `.data/` | where PGlite keeps its files |
 * | `INTAKE_MAX_FILE_BYTES` | unset | operator's cap on upload size, below each type's limit |
 * | `LOG_LEVEL` | info | debug, info, warn or error |
 * | `TRACE_URL_TEMPLATE` | unset | link to a run's trace, `{traceId}` replaced (e.g. Jaeger's) |
 *
 * @module
 */

/** Log levels, least to most severe. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** Resolved settings of one server process. */
export interface Settings {
  port: number;
  hostname: string;
  databaseUrl: string | undefined;
  dataDir: string;
  maxFileBytes: number | undefined;
  logLevel: typeof LOG_LEVELS[number];
  /** URL of a trace in the operators' trace viewer, with `{traceId}` where the id goes. */
  traceUrlTemplate: string | undefined;
}

/** Reads settings from `env` (the process environment by default); throws on a bad value. */
export function loadSettings(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Settings {
  const logLevel = (env("LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new TypeError(`Invalid LOG_LEVEL "${logLevel}": use one of ${LOG_LEVELS.join(", ")}`);
  }
  const databaseUrl = env("DATABASE_URL") || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new TypeError("Invalid DATABASE_URL: expected postgres://user:password@host:port/db");
  }
  return Object.freeze({
    port: integer(env, "PORT", 8000, 0, 65535),
    hostname: listenHostname(env("HOSTNAME")),
    databaseUrl,
    dataDir: env("INTAKE_DATA_DIR") || ".data",
    maxFileBytes: env("INTAKE_MAX_FILE_BYTES")
      ? integer(env, "INTAKE_MAX_FILE_BYTES", 0, 1, Number.MAX_SAFE_INTEGER)
      : undefined,
    logLevel: logLevel as Settings["logLevel"],
    traceUrlTemplate: traceUrlTemplate(env("TRACE_URL_TEMPLATE")),
  });
}

// Checked at start so a typo shows in the start-up error, not as broken links on every run page.
function traceUrlTemplate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^https?:\/\/[^/]/.test(value) || !value.includes("{traceId}")) {
    throw new TypeError(
      `Invalid TRACE_URL_TEMPLATE "${value}": expected an http(s) URL containing {traceId}, ` +
        "e.g. http://localhost:16686/trace/{traceId}",
    );
  }
  return value;
}

// Shells and container runtimes export HOSTNAME as the machine's own name; listening there would
// expose the server on the network by accident, so that value means "unset" here.
function listenHostname(value: string | undefined): string {
  if (!value || value === Deno.hostname()) return "127.0.0.1";
  return value;
}

function integer(
  env: (name: string) => string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env(name);
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`Invalid ${name} "${text}": expected a whole number from ${min} to ${max}`);
  }
  return value;
}
