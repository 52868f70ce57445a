/**
 * The settings every Deno host of Intake reads from the environment (the server and the CLI
 * alike), parsed once at start with clear errors for bad values. The server's own settings
 * (port, access, …) extend these in `server/settings.ts`.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `DATABASE_URL` | unset | `postgres://…` for PostgreSQL; unset = embedded PGlite |
 * | `INTAKE_DATA_DIR` | `.data/` | where PGlite keeps its files |
 * | `INTAKE_MAX_FILE_BYTES` | unset | operator's cap on upload size, below each type's limit |
 * | `INTAKE_UPLOAD_MEMORY_BYTES` | 32 MiB | memory budget of one upload: every reader bound (`core/limits.ts`) |
 * | `LOG_LEVEL` | info | debug, info, warn or error |
 * | `INTAKE_WORKER_CONCURRENCY` | 2 | queued runs this instance processes at once; 0: no worker |
 * | `INTAKE_JOB_LEASE_MS` | 30000 | how long a claimed job stays claimed without a heartbeat |
 * | `INTAKE_SHUTDOWN_GRACE_MS` | 20000 | on SIGTERM/SIGINT, how long running work may finish |
 * | `INTAKE_RUN_ROWS_RETENTION_DAYS` | 30 | days a committed run keeps its rows (the audit of what it applied) |
 *
 * @module
 */
import { DEFAULT_UPLOAD_MEMORY_BYTES, type UploadLimits, uploadLimits } from "../../core/limits.ts";

/** Log levels, least to most severe. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Reads one environment variable; unset is `undefined`. */
export type Env = (name: string) => string | undefined;

/** Resolved settings of one Intake process, server or CLI. */
export interface HostSettings {
  databaseUrl: string | undefined;
  dataDir: string;
  maxFileBytes: number | undefined;
  /** The bounds of one upload's readers, from `INTAKE_UPLOAD_MEMORY_BYTES`. */
  uploadLimits: UploadLimits;
  logLevel: LogLevel;
  /** Queued runs processed at once by this instance; 0 runs no worker (and queues nothing). */
  workerConcurrency: number;
  /** Lease of a claimed job; renewed every third of it while the job runs. */
  jobLeaseMs: number;
  /** On SIGTERM/SIGINT, how long running work may take to finish before it is handed back. */
  shutdownGraceMs: number;
  /** Days a reviewed run keeps its rows after its commit (`INTAKE_RUN_ROWS_RETENTION_DAYS`). */
  runRowsRetentionDays: number;
}

/** Reads the host settings from `env` (the process environment by default); throws on a bad value. */
export function loadHostSettings(env: Env = (name) => Deno.env.get(name)): HostSettings {
  const logLevel = (env("LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new TypeError(`Invalid LOG_LEVEL "${logLevel}": use one of ${LOG_LEVELS.join(", ")}`);
  }
  const databaseUrl = env("DATABASE_URL") || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new TypeError("Invalid DATABASE_URL: expected postgres://user:password@host:port/db");
  }
  return Object.freeze({
    databaseUrl,
    dataDir: env("INTAKE_DATA_DIR") || ".data",
    maxFileBytes: env("INTAKE_MAX_FILE_BYTES")
      ? integerSetting(env, "INTAKE_MAX_FILE_BYTES", 0, 1, Number.MAX_SAFE_INTEGER)
      : undefined,
    uploadLimits: uploadLimits(
      // Below 1 MiB a header of a few hundred columns would not fit; above 1 GiB one upload
      // could take more than a server has.
      integerSetting(
        env,
        "INTAKE_UPLOAD_MEMORY_BYTES",
        DEFAULT_UPLOAD_MEMORY_BYTES,
        2 ** 20,
        2 ** 30,
      ),
    ),
    logLevel: logLevel as LogLevel,
    workerConcurrency: integerSetting(env, "INTAKE_WORKER_CONCURRENCY", 2, 0, 64),
    jobLeaseMs: integerSetting(env, "INTAKE_JOB_LEASE_MS", 30_000, 1000, 3_600_000),
    shutdownGraceMs: integerSetting(env, "INTAKE_SHUTDOWN_GRACE_MS", 20_000, 0, 3_600_000),
    runRowsRetentionDays: integerSetting(env, "INTAKE_RUN_ROWS_RETENTION_DAYS", 30, 0, 36_500),
  });
}

/** Reads a whole number from `min` to `max`, `fallback` when unset; throws naming the variable. */
export function integerSetting(
  env: Env,
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
