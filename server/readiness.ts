/**
 * Readiness: a list of named checks that must all pass before this instance should get traffic.
 * `GET /health/ready` runs them in parallel, each with a time limit, and answers 503 naming the
 * failing ones. Services start with `database`, `migrations`, `worker` and `upload_types`; other parts add
 * their own to `services.readinessChecks`.
 *
 * @example A check of one's own
 * ```ts
 * import { checkReadiness, type ReadinessCheck } from "./readiness.ts";
 *
 * const queue = { depth: () => Promise.resolve(12_000) };
 * const readinessChecks: ReadinessCheck[] = []; // `services.readinessChecks` in the server
 * readinessChecks.push({
 *   name: "queue",
 *   async run() {
 *     const depth = await queue.depth();
 *     return { ok: depth < 10_000, status: depth < 10_000 ? "ok" : "backlogged", depth };
 *   },
 * });
 * const readiness = await checkReadiness(readinessChecks);
 * if (readiness.ready || readiness.failing[0] !== "queue") throw new Error("unexpected");
 * ```
 *
 * @module
 */
import type { UploadTypeRegistry } from "../core/config/registry.ts";
import type { Database } from "../db/database.ts";
import { findTargetProblems } from "../store/postgres/target_check.ts";
import { describeTargetProblem } from "../core/target_readiness.ts";
import { migrationStatus } from "../db/migrate.ts";
import { redactText } from "../host/deno/redact.ts";

/** What one check found: `ok` decides readiness, `status` says it in a word, the rest is detail. */
export interface CheckResult {
  ok: boolean;
  status: string;
  [detail: string]: unknown;
}

/** One named readiness check. */
export interface ReadinessCheck {
  /** The key in the answer's `checks` (and in `failing`). */
  readonly name: string;
  /** Looks; may throw (the check then fails with `status: "error"`). */
  run(): Promise<CheckResult>;
}

/** What a background worker tells the `worker` check. */
export interface WorkerStatus {
  running: boolean;
  [detail: string]: unknown;
}

/** The hook a background worker offers (`services.jobs`). */
export interface WorkerProbe {
  status(): WorkerStatus | Promise<WorkerStatus>;
}

/** Every check's result and the overall verdict. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
  /** Names of the checks that failed, in list order. */
  failing: string[];
}

/** How long one check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2000;

/** Runs `checks` in parallel, each limited to `timeoutMs`. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<Readiness> {
  const results = await Promise.all(checks.map(async (check): Promise<CheckResult> => {
    try {
      return await withTimeout(check.run(), timeoutMs);
    } catch (err) {
      const error = redactText(err instanceof Error ? err.message : String(err));
      return { ok: false, status: "error", error };
    }
  }));
  const failing = checks.filter((_, i) => !results[i].ok).map((check) => check.name);
  const entries = checks.map((check, i) => [check.name, results[i]] as const);
  return { ready: failing.length === 0, checks: Object.fromEntries(entries), failing };
}

/** The database answers `SELECT 1`; reports the round trip and the pool figures. */
export function databaseCheck(database: Database): ReadinessCheck {
  return {
    name: "database",
    async run() {
      const latencyMs = await database.ping();
      return {
        ok: true,
        status: "up",
        kind: database.kind,
        latencyMs: Math.round(latencyMs * 100) / 100,
        pool: database.poolStats(),
      };
    },
  };
}

/** Every migration this build knows has been applied. */
export function migrationsCheck(database: Database): ReadinessCheck {
  return {
    name: "migrations",
    async run() {
      const states = await migrationStatus(database);
      const pending = states.filter((s) => s.executedAt === null).map((s) => s.name);
      return {
        ok: pending.length === 0,
        status: pending.length === 0 ? "current" : "pending",
        applied: states.length - pending.length,
        expected: states.length,
        pending,
      };
    },
  };
}

/**
 * Every upload type's table and configured columns exist (`core/target_readiness.ts`); a table
 * dropped after start fails it, naming the type, the table and what is missing.
 */
export function uploadTypesCheck(database: Database, types: UploadTypeRegistry): ReadinessCheck {
  return {
    name: "upload_types",
    async run() {
      const problems = await findTargetProblems(database.kysely, types.list());
      return {
        ok: problems.length === 0,
        status: problems.length === 0 ? "ready" : "not_ready",
        types: types.list().length,
        ...(problems.length > 0
          ? { problems: problems.map((p) => ({ ...p, message: describeTargetProblem(p) })) }
          : {}),
      };
    },
  };
}

/**
 * The background worker runs; `"not_configured"` (ready) while the process has none.
 * `worker` is read at each check, so a worker installed after start is seen.
 */
export function workerCheck(worker: () => WorkerProbe | undefined): ReadinessCheck {
  return {
    name: "worker",
    async run() {
      const probe = worker();
      if (!probe) return { ok: true, status: "not_configured" };
      const { running, ...details } = await probe.status();
      return { ...details, ok: running, status: running ? "running" : "stopped" };
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
