/**
 * {@linkcode JobQueue}: the jobs of queued runs in `ingest_jobs`, shared by every instance on one
 * database.
 *
 * A job is `receiving` while its upload is stored, `queued` once it can be claimed, `running`
 * while an instance (`locked_by`) holds it until `lease_until`, and `done` when its run has left
 * the worker. Claims take rows with `FOR UPDATE SKIP LOCKED`, so of instances claiming at the
 * same moment each gets other jobs; every claim counts an attempt. A holder renews its lease
 * while it works; a job whose lease ran out belongs to an instance that died (or lost the
 * database) and is taken over by whoever sweeps first (`recovery.ts`).
 *
 * Every change after the claim names the holder, so an instance that lost its lease cannot
 * change a job someone else took over.
 *
 * @module
 */
import { sql } from "kysely";
import type { Database } from "../../db/database.ts";
import type { Encoding } from "../../core/stages/decode.ts";
import type { ColumnMapping } from "../../core/stages/map_headers/header_match.ts";
import type { FileFormat } from "../../core/stages/parse.ts";
import type { StoredInput } from "./inputs.ts";

/** Where a job is in the queue. */
export type JobState = "receiving" | "queued" | "running" | "done";

/** How to read the stored upload again: the options the request gave. */
export interface JobRequest {
  encoding?: Encoding;
  format?: FileFormat;
  delimiter?: "\t";
  sheet?: string;
  mapping?: ColumnMapping;
  /** The uploader may change shared settings (see `IngestRequest.shareMapping`). */
  shareMapping?: boolean;
}

/** One job as stored. */
export interface Job {
  runId: string;
  state: JobState;
  request: JobRequest;
  /** W3C trace context of the request that queued the run. */
  traceparent: string | null;
  /** The stored upload's size and hash; null while it is being stored. */
  input: StoredInput | null;
  /** Claims so far (the one under way included). */
  attempts: number;
  /** The instance holding (or that last held) the job. */
  lockedBy: string | null;
  leaseUntil: Date | null;
}

/** A job taken over from a holder whose lease ran out. */
export interface ExpiredJob extends Job {
  /** The instance that held it before. */
  previousHolder: string | null;
}

type Row = Record<string, unknown>;

function lease(ms: number) {
  return sql`now() + ${Math.round(ms)}::integer * interval '1 millisecond'`;
}

/** SQL over `ingest_jobs`. */
export class JobQueue {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Adds the job of a queued run, `receiving` and held by `holder` while its upload is stored. */
  async add(
    runId: string,
    job: { request: JobRequest; traceparent: string | null },
    holder: string,
    leaseMs: number,
  ): Promise<void> {
    await sql`insert into ingest_jobs (run_id, state, request, traceparent, locked_by,
        lease_until, heartbeat_at)
      values (${runId}, 'receiving', ${JSON.stringify(job.request)}::jsonb, ${job.traceparent},
        ${holder}, ${lease(leaseMs)}, now())`.execute(this.#db.kysely);
  }

  /** Makes a `receiving` job claimable once its upload is stored; false when not held. */
  async markQueued(runId: string, holder: string, input: StoredInput): Promise<boolean> {
    const result = await sql`update ingest_jobs set state = 'queued', input_bytes = ${input.bytes},
        input_sha256 = ${input.sha256}, locked_by = null, lease_until = null, queued_at = now()
      where run_id = ${runId} and state = 'receiving' and locked_by = ${holder}`
      .execute(this.#db.kysely);
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  /** Claims up to `limit` queued jobs, oldest first, for `holder`; each claim counts an attempt. */
  async claim(holder: string, limit: number, leaseMs: number): Promise<Job[]> {
    if (limit <= 0) return [];
    const { rows } = await sql<Row>`update ingest_jobs set state = 'running',
        locked_by = ${holder}, lease_until = ${lease(leaseMs)}, heartbeat_at = now(),
        claimed_at = now(), attempts = attempts + 1
      where state = 'queued' and run_id in (
        select run_id from ingest_jobs where state = 'queued'
        order by queued_at, run_id limit ${limit} for update skip locked)
      returning *`.execute(this.#db.kysely);
    return rows.map(toJob);
  }

  /** Extends the leases `holder` still has on `runIds`; returns the ids it still holds. */
  async renew(runIds: readonly string[], holder: string, leaseMs: number): Promise<string[]> {
    if (runIds.length === 0) return [];
    const { rows } = await sql<{ run_id: string }>`update ingest_jobs
      set lease_until = ${lease(leaseMs)}, heartbeat_at = now()
      where run_id in (${sql.join(runIds)}) and locked_by = ${holder}
        and state in ('receiving', 'running')
      returning run_id`.execute(this.#db.kysely);
    return rows.map((r) => r.run_id);
  }

  /** Marks a job `holder` holds as done (its run left the worker); false when not held. */
  async finish(runId: string, holder: string): Promise<boolean> {
    const result = await sql`update ingest_jobs set state = 'done', lease_until = null,
        finished_at = now()
      where run_id = ${runId} and locked_by = ${holder} and state in ('receiving', 'running')`
      .execute(this.#db.kysely);
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  /** Puts a job `holder` holds back in the queue; false when not held. */
  async requeue(runId: string, holder: string): Promise<boolean> {
    const result = await sql`update ingest_jobs set state = 'queued', locked_by = null,
        lease_until = null, queued_at = now()
      where run_id = ${runId} and locked_by = ${holder} and state = 'running'`
      .execute(this.#db.kysely);
    return Number(result.numAffectedRows ?? 0) === 1;
  }

  /** Ends `holder`'s lease now, so the next sweep (of any instance) takes the job over. */
  async expire(runId: string, holder: string): Promise<void> {
    await sql`update ingest_jobs set lease_until = now() - interval '1 millisecond'
      where run_id = ${runId} and locked_by = ${holder} and state in ('receiving', 'running')`
      .execute(this.#db.kysely);
  }

  /**
   * Takes over one job whose lease ran out (or, with `orphans`, any job held by another
   * instance: right at the start of the only instance on a database) for `holder`, except the
   * runs in `exclude`.
   */
  async claimExpired(
    holder: string,
    leaseMs: number,
    options: { orphans?: boolean; exclude?: readonly string[] } = {},
  ): Promise<ExpiredJob | null> {
    const expired = options.orphans
      ? sql`(lease_until < now() or locked_by is distinct from ${holder})`
      : sql`lease_until < now()`;
    // The holder's own jobs under way: their renewal may just be late (a busy event loop).
    const exclude = options.exclude?.length
      ? sql`and run_id not in (${sql.join(options.exclude)})`
      : sql``;
    const { rows } = await sql<Row>`with picked as (
        select run_id, locked_by as previous_holder from ingest_jobs
        where state in ('receiving', 'running') and ${expired} ${exclude}
        order by lease_until limit 1 for update skip locked)
      update ingest_jobs j set locked_by = ${holder}, lease_until = ${lease(leaseMs)},
        heartbeat_at = now()
      from picked where j.run_id = picked.run_id
      returning j.*, picked.previous_holder`.execute(this.#db.kysely);
    if (rows.length === 0) return null;
    return { ...toJob(rows[0]), previousHolder: (rows[0].previous_holder as string) ?? null };
  }

  /**
   * Active runs with no job under way whose record nobody touched for `staleMs`: runs of a
   * process that died while it processed them without the queue.
   */
  async abandonedRuns(staleMs: number, limit = 100): Promise<{ id: string; status: string }[]> {
    const { rows } = await sql<{ id: string; status: string }>`select r.id, r.status
      from ingest_runs r
      where r.status in ('queued', 'receiving', 'processing', 'committing')
        and r.updated_at < now() - ${Math.round(staleMs)}::integer * interval '1 millisecond'
        and not exists (select 1 from ingest_jobs j where j.run_id = r.id and j.state <> 'done')
      order by r.updated_at limit ${limit}`.execute(this.#db.kysely);
    return rows;
  }

  /** Jobs waiting to be claimed. */
  async depth(): Promise<number> {
    const { rows } = await sql<{ n: unknown }>`select count(*) as n from ingest_jobs
      where state = 'queued'`.execute(this.#db.kysely);
    return Number(rows[0].n);
  }

  /** The job of run `runId`, or null. */
  async get(runId: string): Promise<Job | null> {
    const { rows } = await sql<Row>`select * from ingest_jobs where run_id = ${runId}`
      .execute(this.#db.kysely);
    return rows.length ? toJob(rows[0]) : null;
  }
}

function toJob(r: Row): Job {
  const request = typeof r.request === "string" ? JSON.parse(r.request) : r.request;
  return {
    runId: r.run_id as string,
    state: r.state as JobState,
    request: request as JobRequest,
    traceparent: (r.traceparent as string | null) ?? null,
    input: r.input_sha256 == null
      ? null
      : { bytes: Number(r.input_bytes), sha256: r.input_sha256 as string },
    attempts: Number(r.attempts),
    lockedBy: (r.locked_by as string | null) ?? null,
    leaseUntil: r.lease_until == null ? null : new Date(r.lease_until as string | Date),
  };
}
