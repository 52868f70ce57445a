/**
 * {@linkcode JobWorker}: queues uploads in the database and processes queued runs in the
 * background, at most `concurrency` at once per instance, with any number of instances on one
 * PostgreSQL database (or one on PGlite).
 *
 * An upload is queued by storing its bytes (`input_store.ts`) and adding a job
 * (`job_queue.ts`); the worker claims jobs, streams each stored upload back through the same
 * `startIngest` as an upload processed during its request (same stages, spans and errors), under
 * the trace of the request that queued it, while its lease is renewed (`lease_keeper.ts`). The
 * pipeline writes through a fence (`fenced_store.ts`) that closes when the job stops being this
 * instance's. Every few seconds the worker also sweeps for the work of instances that died
 * (`recovery.ts`).
 *
 * @example Start with the server, stop on SIGTERM
 * ```ts ignore
 * const worker = await startJobWorker(services);
 * Deno.addSignalListener("SIGTERM", () => worker.stop(services.settings.shutdownGraceMs));
 * ```
 *
 * @module
 */
import { type Context, context } from "@opentelemetry/api";
import type { UploadTypeRegistry } from "../../../core/config/registry.ts";
import type { ResolvedUploadType } from "../../../core/config/upload_type_schema.ts";
import type { Database } from "../../../db/database.ts";
import { IngestError, toIngestError } from "../../../core/errors.ts";
import { startIngest } from "../../../core/pipeline.ts";
import { fromTraceparent, parseTraceparent, toTraceparent } from "../../../core/trace_context.ts";
import { RUN_HEARTBEAT_MS } from "../../../core/runs/heartbeat.ts";
import { isActive, type Run, type RunMode } from "../../../core/runs/run.ts";
import type { Store } from "../../../core/ports.ts";
import { fileSpool } from "../file_spool.ts";
import { nativeSha256 } from "../native_sha256.ts";
import { log } from "../log.ts";
import { within } from "../within.ts";
import type { HostSettings } from "../settings.ts";
import { type FencedStore, fenceStore } from "./fenced_store.ts";
import { deleteInput, storedInputSource, writeInput } from "../../../store/postgres/inputs.ts";
import { type Job, JobQueue, type JobRequest } from "../../../store/postgres/jobs.ts";
import { LeaseKeeper } from "./lease_keeper.ts";
import { recoverJob, sweep } from "./recovery.ts";

/** How the worker runs. */
export interface JobWorkerOptions {
  /** Runs processed at once by this instance. */
  concurrency: number;
  /** Lease of a claimed job, renewed every third of it. */
  leaseMs: number;
  /** Pause between looks at an empty queue (a local enqueue wakes the worker at once). */
  pollMs?: number;
  /**
   * The only instance on its database (PGlite): at start, every job held and every active run
   * belongs to a process that is gone, whatever their leases and heartbeats say.
   */
  exclusive?: boolean;
  /** This instance's name in `locked_by`; random when absent. */
  instanceId?: string;
}

/** What the worker uses of the services. */
export type JobWorkerServices = {
  database: Database;
  store: Store;
  uploadTypes: Pick<UploadTypeRegistry, "get">;
  settings: Pick<HostSettings, "maxFileBytes" | "uploadLimits">;
};

/** What the worker tells the readiness check (`server/readiness.ts`'s `worker`). */
export type JobWorkerStatus = {
  running: boolean;
  active: number;
  concurrency: number;
  leases: number;
  instance: string;
};

/** An upload to queue: the body and how to read it. */
export interface QueuedUpload extends JobRequest {
  body: ReadableStream<Uint8Array>;
  mode: RunMode;
  fileName: string | null;
  contentType: string | null;
}

interface ActiveJob {
  job: Job;
  fence: FencedStore;
  abort: AbortController;
  finished: Promise<void>;
}

/** Queues uploads and processes queued runs. */
export class JobWorker {
  /** This instance's name in `locked_by`. */
  readonly instanceId: string;
  readonly #services: JobWorkerServices;
  readonly #queue: JobQueue;
  readonly #leases: LeaseKeeper;
  readonly #options: Required<Omit<JobWorkerOptions, "instanceId">>;
  readonly #active = new Map<string, ActiveJob>();
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #nudged = false;
  #stopping: Promise<void> | undefined;

  constructor(services: JobWorkerServices, options: JobWorkerOptions) {
    this.#services = services;
    this.#options = { pollMs: 1000, exclusive: false, ...options };
    this.instanceId = options.instanceId ?? `intake-${crypto.randomUUID().slice(0, 8)}`;
    this.#queue = new JobQueue(services.database);
    this.#leases = new LeaseKeeper(
      this.#queue,
      this.instanceId,
      options.leaseMs,
      (runId) => this.#lost(runId),
    );
  }

  /** Settles what dead instances left behind, then starts claiming. */
  async start(): Promise<void> {
    if (this.#running || this.#stopping) return;
    await this.#sweep(this.#options.exclusive);
    this.#running = true;
    this.#leases.start();
    this.#loop = this.#claimLoop();
    log.info("job worker started", {
      instance: this.instanceId,
      concurrency: this.#options.concurrency,
      lease_ms: this.#options.leaseMs,
    });
  }

  /**
   * For the readiness check: whether it claims jobs, how many run and may run, and how many
   * leases it keeps (jobs under way and uploads being stored; a job whose lease was lost winds
   * down in `active` without one).
   */
  status(): JobWorkerStatus {
    return {
      running: this.#running,
      active: this.#active.size,
      concurrency: this.#options.concurrency,
      leases: this.#leases.held().length,
      instance: this.instanceId,
    };
  }

  /** Jobs waiting to be claimed, across every instance (for the queue-depth gauge). */
  queueDepth(): Promise<number> {
    return this.#queue.depth();
  }

  /**
   * Creates a `queued` run for `upload`, stores its bytes (at most `maxBytes`) and queues it.
   * Returns the run as queued, or the failed run when storing failed for a reason of the
   * upload's (too large, cancelled); throws when the database failed.
   */
  async enqueue(
    type: ResolvedUploadType,
    upload: QueuedUpload,
    options: {
      actor?: string | null;
      shareMapping?: boolean;
      maxBytes: number;
      signal?: AbortSignal;
      parent?: Context;
    },
  ): Promise<Run> {
    const { store, database } = this.#services;
    const traceparent = toTraceparent(options.parent ?? context.active());
    const run = await store.createRun({
      id: crypto.randomUUID(),
      uploadType: type.name,
      mode: upload.mode,
      fileName: upload.fileName,
      contentType: upload.contentType,
      actor: options.actor ?? null,
      traceId: parseTraceparent(traceparent)?.traceId ?? null,
      status: "queued",
    });
    const { encoding, format, delimiter, sheet, mapping } = upload;
    await this.#queue.add(
      run.id,
      {
        request: {
          encoding,
          format,
          delimiter,
          sheet,
          mapping,
          shareMapping: options.shareMapping,
        },
        traceparent,
      },
      this.instanceId,
      this.#options.leaseMs,
    );
    this.#leases.hold(run.id);
    let lastReport = 0;
    let queued: Run;
    try {
      const input = await writeInput(database, run.id, upload.body, {
        maxBytes: options.maxBytes,
        signal: options.signal,
        onProgress: (bytes) => {
          if (Date.now() - lastReport < 500) return;
          lastReport = Date.now();
          store.reportProgress(run.id, { bytes, rows: 0 }).catch(() => {});
        },
      });
      await store.reportProgress(run.id, { bytes: input.bytes, rows: 0 });
      await this.#queue.markQueued(run.id, this.instanceId, input);
      log.info("job queued", { run_id: run.id, bytes: input.bytes, instance: this.instanceId });
      queued = { ...run, progress: { bytes: input.bytes, rows: 0 } };
    } catch (err) {
      // The run fails as it would have in the pipeline (too large, cancelled, body broke off).
      const error = toIngestError(err);
      try {
        await deleteInput(database, run.id);
        await this.#queue.finish(run.id, this.instanceId);
        return await store.updateRun(run.id, ["queued"], {
          status: "failed",
          error: error.toJSON(),
          finishedAt: true,
        });
      } catch {
        // The database is what failed: the job's lease runs out and a sweep settles the run.
        throw error;
      }
    } finally {
      this.#leases.drop(run.id);
    }
    this.#nudge();
    // As queued: a worker (of any instance) may have taken it on already.
    return queued;
  }

  /**
   * Stops claiming, lets running jobs finish for up to `graceMs`, then hands the rest back to
   * the queue (or, when their attempt cannot be stopped cleanly, leaves them to lease expiry).
   * Idempotent: later calls return the first call's promise.
   */
  stop(graceMs = 0): Promise<void> {
    return this.#stopping ??= this.#shutdown(graceMs);
  }

  async #shutdown(graceMs: number): Promise<void> {
    log.info("job worker stopping", { active: this.#active.size, grace_ms: graceMs });
    this.#running = false;
    this.#nudge();
    await this.#loop;
    const all = Promise.all([...this.#active.values()].map((a) => a.finished));
    if (!(await within(all, graceMs))) {
      await Promise.all([...this.#active.values()].map((active) => this.#release(active)));
    }
    this.#leases.stop();
    log.info("job worker stopped", { instance: this.instanceId });
  }

  /** Hands a job still running at the end of the grace period back to the queue. */
  async #release(active: ActiveJob): Promise<void> {
    const { job, fence, abort } = active;
    const drained = await fence.close();
    abort.abort(
      new IngestError("interrupted", "The instance processing this run is shutting down", {}),
    );
    await active.finished;
    if (!drained) {
      // A statement of this attempt may still be running: let the lease run out instead.
      log.warn("job left to lease expiry", { run_id: job.runId });
      return;
    }
    const how = await recoverJob(this.#recovery(), job, this.instanceId).catch((err) => {
      log.warn("job release failed", { run_id: job.runId, cause: String(err) });
      return "failed";
    });
    log.info("job released", { run_id: job.runId, outcome: how });
  }

  async #claimLoop(): Promise<void> {
    const sweepEvery = Math.max(this.#options.leaseMs / 2, 500);
    let nextSweep = Date.now() + sweepEvery;
    while (this.#running) {
      try {
        if (Date.now() >= nextSweep) {
          nextSweep = Date.now() + sweepEvery;
          await this.#sweep(false);
        }
        const free = this.#options.concurrency - this.#active.size;
        const jobs = await this.#queue.claim(this.instanceId, free, this.#options.leaseMs);
        for (const job of jobs) this.#begin(job);
      } catch (err) {
        log.warn("job worker poll failed", { cause: String(err) });
      }
      if (!this.#running) break;
      if (this.#nudged) {
        this.#nudged = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          done,
          Math.max(0, Math.min(this.#options.pollMs, nextSweep - Date.now())),
        );
        this.#wake = done;
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }

  /** `exclusive`: at the start of the only instance, when all active work is a dead one's. */
  async #sweep(exclusive: boolean): Promise<void> {
    const report = await sweep(this.#recovery(), this.instanceId, {
      leaseMs: this.#options.leaseMs,
      // Several missed heartbeats, and never less than a lease.
      staleMs: exclusive ? 0 : Math.max(this.#options.leaseMs, 6 * RUN_HEARTBEAT_MS),
      orphans: exclusive,
      exclude: this.#leases.held(),
    });
    if (report.requeued + report.interrupted + report.finished + report.abandoned > 0) {
      log.info("job sweep", { ...report });
    }
  }

  #recovery() {
    return { database: this.#services.database, store: this.#services.store, queue: this.#queue };
  }

  #begin(job: Job): void {
    const fence = fenceStore(this.#services.store, job.runId);
    const abort = new AbortController();
    const active = { job, fence, abort } as ActiveJob;
    this.#active.set(job.runId, active);
    this.#leases.hold(job.runId);
    log.info("job claimed", {
      run_id: job.runId,
      attempt: job.attempts,
      instance: this.instanceId,
    });
    active.finished = this.#process(active)
      .catch((err) => log.warn("job failed", { run_id: job.runId, cause: String(err) }))
      .finally(() => {
        this.#leases.drop(job.runId);
        this.#active.delete(job.runId);
        this.#nudge();
      });
  }

  async #process({ job, fence, abort }: ActiveJob): Promise<void> {
    const { store, database, uploadTypes, settings } = this.#services;
    const run = await store.getRun(job.runId);
    if (!run || run.status !== "queued" || !job.input) {
      await recoverJob(this.#recovery(), job, this.instanceId);
      return;
    }
    let type: ResolvedUploadType;
    try {
      type = uploadTypes.get(run.uploadType);
    } catch (err) {
      // The type was removed from the config while the run waited.
      await store.updateRun(run.id, ["queued"], {
        status: "failed",
        error: toIngestError(err).toJSON(),
        finishedAt: true,
      });
      await this.#settle(run.id);
      return;
    }
    const { encoding, format, delimiter, sheet, mapping, shareMapping } = job.request;
    const input = job.input;
    try {
      const handle = await startIngest(fence.store, {
        type,
        queued: run,
        mode: run.mode,
        fileName: run.fileName,
        contentType: run.contentType,
        actor: run.actor,
        source: storedInputSource(database, run.id, input),
        expectedBytes: input.bytes,
        encoding,
        format,
        delimiter,
        sheet,
        mapping,
        shareMapping,
        maxFileBytes: settings.maxFileBytes,
        limits: settings.uploadLimits,
        spool: fileSpool,
        sha256: nativeSha256,
        parent: fromTraceparent(job.traceparent),
        signal: abort.signal,
      });
      await handle.done.catch(() => {});
    } catch (err) {
      if (!fence.closed) throw err;
    }
    // Lost or handed back: the job is someone else's (or the release's) to settle.
    if (fence.closed) return;
    const settled = await store.getRun(run.id);
    if (settled && !isActive(settled.status)) {
      await this.#settle(run.id);
      log.info("job finished", { run_id: run.id, status: settled.status, attempt: job.attempts });
      return;
    }
    // The run's end could not be recorded (the database failed): recovery decides, soon.
    await fence.close();
    await this.#queue.expire(run.id, this.instanceId);
  }

  /** Closes the job of a run that left the worker and drops its stored upload. */
  async #settle(runId: string): Promise<void> {
    await this.#queue.finish(runId, this.instanceId);
    await deleteInput(this.#services.database, runId);
  }

  /** Wakes the claim loop now, or makes its next wait return at once. */
  #nudge(): void {
    if (this.#wake) this.#wake();
    else this.#nudged = true;
  }

  #lost(runId: string): void {
    const active = this.#active.get(runId);
    if (!active) return;
    void active.fence.close();
    active.abort.abort(
      new IngestError("interrupted", "This instance lost the lease on the run's job", { runId }),
    );
  }
}

/**
 * Makes this instance's worker with the settings (`INTAKE_WORKER_CONCURRENCY`,
 * `INTAKE_JOB_LEASE_MS`; on PGlite the only instance), `options` over them; not started yet.
 */
export function createJobWorker(
  services: JobWorkerServices & {
    settings: Pick<HostSettings, "workerConcurrency" | "jobLeaseMs">;
  },
  options: Partial<JobWorkerOptions> = {},
): JobWorker {
  return new JobWorker(services, {
    concurrency: services.settings.workerConcurrency,
    leaseMs: services.settings.jobLeaseMs,
    exclusive: services.database.kind === "pglite",
    ...options,
  });
}

/** Makes this instance's worker ({@linkcode createJobWorker}) and starts it. */
export async function startJobWorker(
  services: Parameters<typeof createJobWorker>[0],
  options: Partial<JobWorkerOptions> = {},
): Promise<JobWorker> {
  const worker = createJobWorker(services, options);
  await worker.start();
  return worker;
}
