/**
 * The background job queue: `ingest_jobs` (one job per queued run, claimed with
 * `FOR UPDATE SKIP LOCKED` and held under a lease) and `ingest_inputs` (the stored upload, in
 * chunks of about 1 MiB, read back by the worker and deleted once the job is done). Runs gain the
 * status `queued`.
 *
 * Numbered after `0006_saved_mappings`, already applied on existing databases: Kysely refuses a
 * new migration that sorts before one that ran.
 *
 * @module
 */
import { type Kysely, sql } from "kysely";

const STATUSES_BEFORE =
  "'receiving', 'processing', 'staged', 'committing', 'committed', 'discarded', 'failed'";

/** Creates `ingest_jobs` and `ingest_inputs`; allows the run status `queued`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table ingest_runs drop constraint ingest_runs_status_check`.execute(db);
  await sql`alter table ingest_runs add constraint ingest_runs_status_check
    check (status in ('queued', ${sql.raw(STATUSES_BEFORE)}))`.execute(db);

  await db.schema
    .createTable("ingest_jobs")
    .addColumn(
      "run_id",
      "uuid",
      (c) => c.primaryKey().references("ingest_runs.id").onDelete("cascade"),
    )
    // receiving: the upload is being stored (held by the receiving instance); queued: claimable;
    // running: claimed by `locked_by` until `lease_until`; done: the run left the worker.
    .addColumn(
      "state",
      "text",
      (c) => c.notNull().check(sql`state in ('receiving', 'queued', 'running', 'done')`),
    )
    // How to read the stored upload: encoding, format, delimiter, sheet, column mapping.
    .addColumn("request", "jsonb", (c) => c.notNull())
    .addColumn("traceparent", "text")
    .addColumn("input_bytes", "bigint")
    .addColumn("input_sha256", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_by", "text")
    .addColumn("lease_until", "timestamptz")
    .addColumn("heartbeat_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("queued_at", "timestamptz")
    .addColumn("claimed_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .execute();
  await sql`create index ingest_jobs_queued_idx on ingest_jobs (queued_at, run_id)
    where state = 'queued'`.execute(db);
  await sql`create index ingest_jobs_lease_idx on ingest_jobs (lease_until)
    where state in ('receiving', 'running')`.execute(db);

  await db.schema
    .createTable("ingest_inputs")
    .addColumn(
      "run_id",
      "uuid",
      (c) => c.notNull().references("ingest_runs.id").onDelete("cascade"),
    )
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("bytes", "bytea", (c) => c.notNull())
    .addPrimaryKeyConstraint("ingest_inputs_pkey", ["run_id", "seq"])
    .execute();
}

/** Drops both tables; queued runs become failed, as the old status list has no `queued`. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("ingest_inputs").execute();
  await db.schema.dropTable("ingest_jobs").execute();
  await sql`update ingest_runs set status = 'failed', finished_at = now()
    where status = 'queued'`.execute(db);
  await sql`alter table ingest_runs drop constraint ingest_runs_status_check`.execute(db);
  await sql`alter table ingest_runs add constraint ingest_runs_status_check
    check (status in (${sql.raw(STATUSES_BEFORE)}))`.execute(db);
}
