/**
 * The server's settings: the host's (`host/deno/settings.ts`: database, upload budget, log level,
 * worker, shutdown, retention) and those of the HTTP server, parsed once at start with clear
 * errors for bad values.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `PORT` | 8000 | HTTP port |
 * | `HOSTNAME` | 127.0.0.1 | interface to listen on (the machine's own name counts as unset) |
 * | `TRACE_URL_TEMPLATE` | unset | link to a run's trace, `{traceId}` replaced (e.g. Jaeger's) |
 * | `INTAKE_ASYNC_THRESHOLD_BYTES` | 8 MiB | uploads declaring more (Content-Length) are queued |
 * | `INTAKE_USERS`, `INTAKE_TOKENS`, `INTAKE_SESSION_SECRET`, `INTAKE_ALLOW_UNAUTHENTICATED` | unset | access (`server/auth/auth_settings.ts`) |
 * | `INTAKE_UPLOAD_RATE` | unset | uploads per user, token or address, e.g. `30/min` |
 * | `INTAKE_MAX_CONCURRENT_UPLOADS` | 4 | uploads read in requests at once; more answer 503 |
 *
 * @module
 */
import { type AuthSettings, readAuthSettings } from "./auth/auth_settings.ts";
import { parseRate, type Rate } from "./rate_limit.ts";
import {
  type Env,
  type HostSettings,
  integerSetting,
  loadHostSettings,
} from "../host/deno/settings.ts";

/** Resolved settings of one server process. */
export interface Settings extends HostSettings {
  port: number;
  hostname: string;
  /** URL of a trace in the operators' trace viewer, with `{traceId}` where the id goes. */
  traceUrlTemplate: string | undefined;
  /** Uploads whose Content-Length is above this are queued for the background worker. */
  asyncThresholdBytes: number;
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
}

/** Reads settings from `env` (the process environment by default); throws on a bad value. */
export function loadSettings(env: Env = (name) => Deno.env.get(name)): Settings {
  return Object.freeze({
    ...loadHostSettings(env),
    port: integerSetting(env, "PORT", 8000, 0, 65535),
    hostname: listenHostname(env("HOSTNAME")),
    traceUrlTemplate: traceUrlTemplate(env("TRACE_URL_TEMPLATE")),
    asyncThresholdBytes: integerSetting(
      env,
      "INTAKE_ASYNC_THRESHOLD_BYTES",
      8 * 1024 * 1024,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    auth: readAuthSettings(env),
    uploadRate: env("INTAKE_UPLOAD_RATE")
      ? parseRate(env("INTAKE_UPLOAD_RATE")!, "INTAKE_UPLOAD_RATE")
      : null,
    maxConcurrentUploads: integerSetting(env, "INTAKE_MAX_CONCURRENT_UPLOADS", 4, 1, 1024),
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
