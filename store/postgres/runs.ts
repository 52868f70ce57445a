/**
 * Reads and writes `ingest_runs`: the run record and its compare-and-set status changes.
 *
 * @module
 */
import { sql } from "kysely";
import type { IntakeDb } from "./tables.ts";
import { IngestError } from "../../core/errors.ts";
import { boundDetails, boundText, MAX_MESSAGE_CHARS } from "../../core/error_bounds.ts";
import {
  isActive,
  type Run,
  RUN_STATUSES,
  type RunCounts,
  type RunStatus,
} from "../../core/runs/run.ts";
import type { NewRun, Page, RunPatch, RunQuery } from "../../core/ports.ts";

type Db = IntakeDb;
type Row = Record<string, unknown>;

/** Inserts a run in status `receiving` (or `queued`: not started until a worker takes it). */
export async function insertRun(db: Db, run: NewRun): Promise<Run> {
  const status = run.status ?? "receiving";
  const row = await db.insertInto("ingest_runs").values({
    id: run.id,
    upload_type: run.uploadType,
    mode: run.mode,
    status,
    file_name: run.fileName,
    content_type: run.contentType,
    actor: run.actor,
    trace_id: run.traceId,
    started_at: status === "queued" ? null : sql`now()`,
  }).returningAll().executeTakeFirstOrThrow();
  return toRun(row);
}

/**
 * Largest stored error a read returns whole, as `pg_column_size` counts it (its stored, maybe
 * compressed, size: measuring its text would read a huge value whole, on every listing). Errors
 * are bounded when made and stored, so only records written before that are larger (a 94 MB one
 * took the server down on every listing): those are read as their type and the start of their
 * message, which reads the value twice, not more.
 */
const MAX_READ_ERROR_BYTES = 16 * 1024;
/** Largest header row (stored size) a listing returns whole; a run's own read returns it all. */
const MAX_LISTED_HEADERS_BYTES = 16 * 1024;

/**
 * The stored error as read: whole when small, else (a record from before errors were bounded)
 * its type and the start of its message. Migration 0015 rewrites such records once with it.
 */
export const BOUNDED_STORED_ERROR = sql<unknown>`case
  when error is null or pg_column_size(error) <= ${sql.lit(MAX_READ_ERROR_BYTES)} then error
  else jsonb_build_object(
    'type', error->>'type',
    'message', left(error->>'message', ${sql.lit(MAX_MESSAGE_CHARS)}) || '… (cut)',
    'details', jsonb_build_object('omitted',
      'details of a stored error of ' || pg_column_size(error) || ' bytes')
  ) end`;

const READ_ERROR = BOUNDED_STORED_ERROR.as("error");

const LISTED_HEADERS = sql`case
  when pg_column_size(headers) <= ${sql.lit(MAX_LISTED_HEADERS_BYTES)} then headers
  else (select coalesce(jsonb_agg(left(h, 200) order by n), '[]'::jsonb)
    from jsonb_array_elements_text(headers) with ordinality as t(h, n) where n <= 100) end`
  .as("headers");

// The columns toRun() reads; the error (and, listed, the header row) bounded.
const PLAIN_COLUMNS = [
  "id",
  "upload_type",
  "mode",
  "status",
  "file_name",
  "content_type",
  "file_bytes",
  "sha256",
  "file_complete",
  "columns",
  "ignored_columns",
  "mapping",
  "suggestions",
  "row_count",
  "new_count",
  "changed_count",
  "unchanged_count",
  "invalid_count",
  "deleted_count",
  "excluded_count",
  "progress_bytes",
  "progress_rows",
  "actor",
  "trace_id",
  "created_at",
  "started_at",
  "staged_at",
  "commit_started_at",
  "finished_at",
  "reverted_at",
  "reverted_by",
  "rows_purged_at",
] as const;

/** Returns the run or null. */
export async function selectRun(db: Db, id: string): Promise<Run | null> {
  if (!isUuid(id)) return null;
  const row = await db.selectFrom("ingest_runs").select([...PLAIN_COLUMNS, "headers", READ_ERROR])
    .where("id", "=", id).executeTakeFirst();
  return row ? toRun(row) : null;
}

/** Lists runs newest first with keyset paging (the cursor is the last run's id). */
export async function selectRuns(db: Db, query: RunQuery): Promise<Page<Run>> {
  let q = db.selectFrom("ingest_runs").select([...PLAIN_COLUMNS, LISTED_HEADERS, READ_ERROR]);
  if (query.uploadType) q = q.where("upload_type", "=", query.uploadType);
  if (query.status) q = q.where("status", "=", query.status);
  if (query.actor !== undefined) q = q.where("actor", "=", query.actor);
  if (query.cursor) {
    if (!isUuid(query.cursor)) {
      throw new IngestError("bad_request", `Invalid cursor "${query.cursor}"`, {
        cursor: query.cursor,
      });
    }
    q = q.where(
      sql<
        boolean
      >`(created_at, id) < (select created_at, id from ingest_runs where id = ${query.cursor})`,
    );
  }
  const rows = await q.orderBy("created_at", "desc").orderBy("id", "desc").limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map(toRun);
  const nextCursor = rows.length > query.limit ? items[items.length - 1].id : null;
  return { items, nextCursor };
}

/** Applies `patch` when the run's status is one of `from`; throws `conflict` or `not_found`. */
export async function updateRunIf(
  db: Db,
  id: string,
  from: readonly RunStatus[],
  patch: RunPatch,
): Promise<Run> {
  const row = await db.updateTable("ingest_runs").set(toColumns(patch))
    .where("id", "=", id).where("status", "in", [...from])
    .returningAll().executeTakeFirst();
  if (row) return toRun(row);
  const current = await selectRun(db, id);
  if (!current) throw new IngestError("not_found", `No run with id "${id}"`, { runId: id });
  throw new IngestError(
    "conflict",
    `Run "${id}" is ${current.status}, expected ${from.join(" or ")}`,
    { runId: id, status: current.status, expected: [...from] },
  );
}

/** Stores live progress figures. */
export async function updateProgress(
  db: Db,
  id: string,
  progress: { bytes: number; rows: number },
): Promise<void> {
  // Reports are fire-and-forget: one that arrives after the run moved on must not overwrite the
  // final figures. A queued run reports the bytes of its upload stored so far.
  await db.updateTable("ingest_runs")
    .set({ progress_bytes: progress.bytes, progress_rows: progress.rows, updated_at: sql`now()` })
    .where("id", "=", id).where("status", "in", ["queued", "receiving", "processing"]).execute();
}

/** Touches `updated_at` of a run that is still active. */
export async function touchActiveRun(db: Db, id: string): Promise<void> {
  await db.updateTable("ingest_runs").set({ updated_at: sql`now()` })
    .where("id", "=", id).where("status", "in", ACTIVE_STATUSES).execute();
}

const ACTIVE_STATUSES = RUN_STATUSES.filter(isActive);

const COUNT_COLUMNS: Record<keyof RunCounts, string> = {
  rows: "row_count",
  new: "new_count",
  changed: "changed_count",
  unchanged: "unchanged_count",
  invalid: "invalid_count",
  deleted: "deleted_count",
  excluded: "excluded_count",
};

function toColumns(patch: RunPatch): Row {
  const set: Row = { updated_at: sql`now()` };
  if (patch.status) set.status = patch.status;
  if (patch.fileBytes !== undefined) set.file_bytes = patch.fileBytes;
  if (patch.sha256 !== undefined) set.sha256 = patch.sha256;
  if (patch.fileComplete !== undefined) set.file_complete = patch.fileComplete;
  if (patch.headers) set.headers = JSON.stringify(patch.headers);
  if (patch.columns) set.columns = JSON.stringify(patch.columns);
  if (patch.ignoredColumns) set.ignored_columns = JSON.stringify(patch.ignoredColumns);
  if (patch.mapping) set.mapping = JSON.stringify(patch.mapping);
  if (patch.suggestions) set.suggestions = JSON.stringify(patch.suggestions);
  if (patch.progress) {
    set.progress_bytes = patch.progress.bytes;
    set.progress_rows = patch.progress.rows;
  }
  if (patch.error !== undefined) {
    // Bounded again here, the one place errors are stored: not every error was an IngestError.
    set.error = patch.error && JSON.stringify({
      type: patch.error.type,
      message: boundText(patch.error.message),
      details: boundDetails(patch.error.details ?? {}),
    });
  }
  if (patch.traceId !== undefined) set.trace_id = patch.traceId;
  for (const [key, value] of Object.entries(patch.counts ?? {})) {
    set[COUNT_COLUMNS[key as keyof RunCounts]] = value;
  }
  if (patch.startedAt) set.started_at = sql`now()`;
  if (patch.stagedAt) set.staged_at = sql`now()`;
  if (patch.commitStartedAt) set.commit_started_at = sql`now()`;
  // The moment it happened, not the start of the transaction: a commit may have waited long for
  // its table's lock, and finishedAt orders commits.
  if (patch.finishedAt) set.finished_at = sql`clock_timestamp()`;
  if (patch.undoRows !== undefined) set.undo_rows = patch.undoRows;
  if (patch.inserted !== undefined) {
    set.inserted_rows = patch.inserted;
    set.inserted_xact = sql`pg_current_xact_id()::text::bigint`;
  }
  if (patch.reverted) {
    set.reverted_at = sql`clock_timestamp()`;
    set.reverted_by = patch.reverted.by;
  }
  return set;
}

/** Maps an `ingest_runs` row to the API's run object. */
export function toRun(r: Row): Run {
  return {
    id: r.id as string,
    uploadType: r.upload_type as string,
    mode: r.mode as Run["mode"],
    status: r.status as RunStatus,
    fileName: (r.file_name as string | null) ?? null,
    contentType: (r.content_type as string | null) ?? null,
    fileBytes: Number(r.file_bytes),
    sha256: (r.sha256 as string | null) ?? null,
    fileComplete: (r.file_complete as boolean | null) ?? null,
    headers: json<string[]>(r.headers) ?? [],
    columns: json<string[]>(r.columns) ?? [],
    ignoredColumns: json<string[]>(r.ignored_columns) ?? [],
    mapping: json<Run["mapping"]>(r.mapping) ?? null,
    suggestions: json<Run["suggestions"]>(r.suggestions) ?? [],
    counts: {
      rows: Number(r.row_count),
      new: Number(r.new_count),
      changed: Number(r.changed_count),
      unchanged: Number(r.unchanged_count),
      invalid: Number(r.invalid_count),
      deleted: Number(r.deleted_count),
      excluded: Number(r.excluded_count ?? 0),
    },
    progress: { bytes: Number(r.progress_bytes), rows: Number(r.progress_rows) },
    error: json<Run["error"]>(r.error) ?? null,
    actor: (r.actor as string | null) ?? null,
    traceId: (r.trace_id as string | null) ?? null,
    createdAt: iso(r.created_at) as string,
    startedAt: iso(r.started_at),
    stagedAt: iso(r.staged_at),
    commitStartedAt: iso(r.commit_started_at),
    finishedAt: iso(r.finished_at),
    revertedAt: iso(r.reverted_at),
    revertedBy: (r.reverted_by as string | null) ?? null,
    rowsPurgedAt: iso(r.rows_purged_at),
  };
}

/** Parses a jsonb value that a driver may hand back as text. */
export function json<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns true for a syntactically valid UUID (so a bad id is a 404, not a database error). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
