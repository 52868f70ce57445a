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
 * | `INTAKE_UPLOAD_MEMORY_BYTES` | 32 MiB | memory budget of one upload: every reader bound (`core/limits.ts`) |
 * | `LOG_LEVEL` | info | debug, info, warn or error |
 * | `TRACE_URL_TEMPLATE` | unset | link to a run's trace, `{traceId}` replaced (e.g. Jaeger's) |
 * | `INTAKE_ASYNC_THRESHOLD_BYTES` | 8 MiB | uploads declaring more (Content-Length) are queued |
 * | `INTAKE_WORKER_CONCURRENCY` | 2 | queued runs this instance processes at once; 0: no worker |
 * | `INTAKE_JOB_LEASE_MS` | 30000 | how long a claimed job stays claimed without a heartbeat |
 * | `INTAKE_SHUTDOWN_GRACE_MS` | 20000 | on SIGTERM/SIGINT, how long running work may finish |
 * | `INTAKE_USERS`, `INTAKE_TOKENS`, `INTAKE_SESSION_SECRET`, `INTAKE_ALLOW_UNAUTHENTICATED` | unset | access (`server/auth/auth_settings.ts`) |
 * | `INTAKE_UPLOAD_RATE` | unset | uploads per user, token or address, e.g. `30/min` |
 * | `INTAKE_MAX_CONCURRENT_UPLOADS` | 4 | uploads read in requests at once; more answer 503 |
 * | `INTAKE_RUN_ROWS_RETENTION_DAYS` | 30 | days a committed run keeps its rows (the audit of what it applied) |
 *
 * @module
 */
import { type AuthSettings, readAuthSettings } from "./auth/auth_settings.ts";
import { parseRate, type Rate } from "./rate_limit.ts";
import { DEFAULT_UPLOAD_MEMORY_BYTES, type UploadLimits, uploadLimits } from "../core/limits.ts";

/** Log levels, least to most severe. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** Resolved settings of one server process. */
export interface Settings {
  port: number;
  hostname: string;
  databaseUrl: string | undefined;
  dataDir: string;
  maxFileBytes: number | undefined;
  /** The bounds of one upload's readers, from `INTAKE_UPLOAD_MEMORY_BYTES`. */
  uploadLimits: UploadLimits;
  logLevel: typeof LOG_LEVELS[number];
  /** URL of a trace in the operators' trace viewer, with `{traceId}` where the id goes. */
  traceUrlTemplate: string | undefined;
  /** Uploads whose Content-Length is above this are queued for the background worker. */
  asyncThresholdBytes: number;
  /** Queued runs processed at once by this instance; 0 runs no worker (and queues nothing). */
  workerConcurrency: number;
  /** Lease of a claimed job; renewed every third of it while the job runs. */
  jobLeaseMs: number;
  /** On SIGTERM/SIGINT, how long running work may take to finish before it is handed back. */
  shutdownGraceMs: number;
  /** Users, API tokens and the session secret; authentication is off when none are set. */
  auth: AuthSettings;
  /** Uploads allowed per user, token or address (`INTAKE_UPLOAD_RATE`); null for no limit. */
  uploadRate: Rate | null;
  /**
   * Uploads and inspections read in requests at once (`INTAKE_MAX_CONCURRENT_UPLOADS`); more are
   * refused with `503 server_busy`. With the worker's jobs, each may hold the per-upload memory
   * budget: (4 + 2) × 32 MiB = 192 MiB leaves room in the 256 MB heap.
   */
  maxConcurrentUploads: number;
  /** Days a reviewed run keeps its rows after its commit (`INTAKE_RUN_ROWS_RETENTION_DAYS`). */
  runRowsRetentionDays: number;
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
    uploadLimits: uploadLimits(
      // Below 1 MiB a header of a few hundred columns would not fit; above 1 GiB one upload
      // could take more than a server has.
      integer(env, "INTAKE_UPLOAD_MEMORY_BYTES", DEFAULT_UPLOAD_MEMORY_BYTES, 2 ** 20, 2 ** 30),
    ),
    logLevel: logLevel as Settings["logLevel"],
    traceUrlTemplate: traceUrlTemplate(env("TRACE_URL_TEMPLATE")),
    asyncThresholdBytes: integer(
      env,
      "INTAKE_ASYNC_THRESHOLD_BYTES",
      8 * 1024 * 1024,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    workerConcurrency: integer(env, "INTAKE_WORKER_CONCURRENCY", 2, 0, 64),
    jobLeaseMs: integer(env, "INTAKE_JOB_LEASE_MS", 30_000, 1000, 3_600_000),
    shutdownGraceMs: integer(env, "INTAKE_SHUTDOWN_GRACE_MS", 20_000, 0, 3_600_000),
    auth: readAuthSettings(env),
    uploadRate: env("INTAKE_UPLOAD_RATE")
      ? parseRate(env("INTAKE_UPLOAD_RATE")!, "INTAKE_UPLOAD_RATE")
      : null,
    maxConcurrentUploads: integer(env, "INTAKE_MAX_CONCURRENT_UPLOADS", 4, 1, 1024),
    runRowsRetentionDays: integer(env, "INTAKE_RUN_ROWS_RETENTION_DAYS", 30, 0, 36_500),
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
