/**
 * What happens to work whose instance went away: any instance's worker sweeps for jobs whose
 * lease ran out and for active runs nobody has touched for a while, and settles each one.
 *
 * - A job whose run had not started committing is retried from its stored upload: the run goes
 *   back to `queued` with its staged rows dropped, at most {@linkcode MAX_ATTEMPTS} claims in all.
 * - A job whose run was committing, used up its attempts, or whose upload was never stored
 *   completely fails with `interrupted`. Its target is untouched: a commit is one transaction,
 *   rolled back when its connection dies, and the run's compare-and-set to `committed` is part of
 *   it, so a run still `committing` has written nothing.
 * - An active run without a job (processed during its request) whose heartbeat stopped fails
 *   with `interrupted` as well.
 *
 * @module
 */
import type { Database } from "../../../db/database.ts";
import { IngestError } from "../../../core/errors.ts";
import { emptyCounts, isActive, type Run, type RunStatus } from "../../../core/runs/run.ts";
import type { Store } from "../../../core/ports.ts";
import { log } from "../log.ts";
import { deleteInput } from "../../../store/postgres/inputs.ts";
import type { Job, JobQueue } from "../../../store/postgres/jobs.ts";

/** Claims of one job (retries included) before it fails with `interrupted`. */
export const MAX_ATTEMPTS = 3;

/** What recovery needs. */
export interface RecoveryContext {
  database: Database;
  store: Store;
  queue: JobQueue;
}

/** How a job taken over was settled. */
export type Recovery = "requeued" | "interrupted" | "finished";

/** Counts of one sweep. */
export interface SweepReport {
  requeued: number;
  interrupted: number;
  finished: number;
  /** Runs without a job found abandoned and failed. */
  abandoned: number;
}

/** Options of {@linkcode sweep}. */
export interface SweepOptions {
  leaseMs: number;
  /** Active runs without a job count as abandoned after this long untouched. */
  staleMs: number;
  /** Take over every job another instance holds (the only instance, at its start). */
  orphans?: boolean;
  /** Jobs the sweeping instance itself is working on. */
  exclude?: readonly string[];
}

/**
 * Settles a job that `holder` now holds but whose previous attempt is over (its instance died,
 * or handed it back): retries it, fails its run with `interrupted`, or just closes a job whose
 * run had already finished.
 */
export async function recoverJob(
  ctx: RecoveryContext,
  job: Job,
  holder: string,
): Promise<Recovery> {
  const { store, queue, database } = ctx;
  const run = await store.getRun(job.runId);
  const done = async () => {
    await queue.finish(job.runId, holder);
    await deleteInput(database, job.runId);
  };
  if (!run || !isActive(run.status)) {
    // The run finished (or was staged) before its job was closed.
    await done();
    return "finished";
  }
  const reason = job.state === "receiving"
    ? "The upload stopped before it was stored completely: the instance receiving it went away"
    : run.status === "committing"
    ? "The instance committing this run stopped; the commit was rolled back"
    : job.attempts >= MAX_ATTEMPTS
    ? `The instance processing this run stopped, ${job.attempts} times; it is not retried again`
    : null;
  if (reason !== null) {
    await interrupt(store, run, reason, { attempts: job.attempts });
    await done();
    log.info("job interrupted", { run_id: run.id, attempts: job.attempts, status: run.status });
    return "interrupted";
  }
  if (run.status !== "queued") {
    // Compare-and-set first: a late write of the previous attempt then finds the run moved on.
    await store.updateRun(run.id, [run.status], {
      status: "queued",
      fileBytes: 0,
      headers: [],
      columns: [],
      ignoredColumns: [],
      counts: emptyCounts(),
      progress: { bytes: 0, rows: 0 },
      error: null,
    });
    await store.clearRows(run.id, false);
  }
  await queue.requeue(job.runId, holder);
  log.info("job requeued", { run_id: run.id, attempts: job.attempts, status: run.status });
  return "requeued";
}

/**
 * Takes over and settles every job whose lease ran out, then fails the abandoned runs that had
 * no job; returns what it did.
 */
export async function sweep(
  ctx: RecoveryContext,
  holder: string,
  options: SweepOptions,
): Promise<SweepReport> {
  const report: SweepReport = { requeued: 0, interrupted: 0, finished: 0, abandoned: 0 };
  while (true) {
    const job = await ctx.queue.claimExpired(holder, options.leaseMs, options);
    if (!job) break;
    log.info("job lease expired", {
      run_id: job.runId,
      previous_holder: job.previousHolder,
      attempts: job.attempts,
    });
    report[await recoverJob(ctx, job, holder)]++;
  }
  for (const { id, status } of await ctx.queue.abandonedRuns(options.staleMs)) {
    const run = await ctx.store.getRun(id);
    if (!run || run.status !== status) continue;
    const reason = status === "committing"
      ? "The instance committing this run stopped; the commit was rolled back"
      : "The instance processing this run stopped before it finished";
    if (await interrupt(ctx.store, run, reason, {})) {
      report.abandoned++;
      log.info("run interrupted", { run_id: id, status });
    }
  }
  return report;
}

/** Fails `run` with `interrupted` (compare-and-set on its status); false when it moved on. */
async function interrupt(
  store: Store,
  run: Run,
  reason: string,
  details: Record<string, unknown>,
): Promise<boolean> {
  const error = new IngestError(
    "interrupted",
    `${reason}; nothing was written to the target table`,
    { ...details, runId: run.id, status: run.status },
  );
  try {
    await store.updateRun(run.id, [run.status as RunStatus], {
      status: "failed",
      error: error.toJSON(),
      finishedAt: true,
    });
  } catch (err) {
    if (err instanceof IngestError && err.type === "conflict") return false;
    throw err;
  }
  await store.clearRows(run.id, run.status === "committing");
  return true;
}
