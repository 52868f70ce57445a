/**
 * The tables Intake keeps for itself (`migrations/`), as Kysely sees them: what a select returns,
 * what an insert or update takes. A run's typed staging table (`stage_tables.ts`) and the
 * targets are named by upload-type config at run time, so they are reached through `sql`
 * templates, never through these types.
 *
 * `jsonb` columns are written as JSON text (portable across both drivers) and read as whatever
 * the driver parsed; timestamps are read as the driver gives them and written as `now()`.
 *
 * @module
 */
import type { ColumnType, Generated, Kysely, RawBuilder } from "kysely";

/** A `jsonb` column: written as JSON text (or an expression), read as the driver parsed it. */
type Json = ColumnType<
  unknown,
  string | RawBuilder<unknown> | null,
  string | RawBuilder<unknown> | null
>;
/** A `jsonb` column with a default. */
type JsonDefault = ColumnType<
  unknown,
  string | RawBuilder<unknown> | undefined,
  string | RawBuilder<unknown>
>;
/** A nullable `timestamptz`: `now()` (or null) in, a Date or text out. */
type Timestamp = ColumnType<
  Date | string | null,
  RawBuilder<unknown> | null | undefined,
  RawBuilder<unknown> | null
>;
/** A `timestamptz` with a default. */
type TimestampDefault = ColumnType<
  Date | string,
  RawBuilder<unknown> | undefined,
  RawBuilder<unknown>
>;
/** A `bigint`: numbers in, a number or text out (drivers differ). */
type BigInt = ColumnType<
  number | string | bigint,
  number | RawBuilder<unknown> | undefined,
  number | RawBuilder<unknown>
>;
/** A nullable `bigint`. */
type BigIntNull = ColumnType<
  number | string | bigint | null,
  number | RawBuilder<unknown> | null | undefined,
  number | RawBuilder<unknown> | null
>;
/** An integer with a default. */
type Count = ColumnType<number, number | undefined, number | RawBuilder<unknown>>;

/** `ingest_runs`: one record per upload. */
export interface RunsTable {
  id: string;
  upload_type: string;
  mode: string;
  status: string;
  file_name: string | null;
  content_type: string | null;
  file_bytes: BigInt;
  sha256: string | null;
  file_complete: boolean | null;
  headers: JsonDefault;
  columns: JsonDefault;
  ignored_columns: JsonDefault;
  mapping: Json;
  suggestions: Json;
  row_count: Count;
  new_count: Count;
  changed_count: Count;
  unchanged_count: Count;
  invalid_count: Count;
  deleted_count: Count;
  excluded_count: Count;
  progress_bytes: BigInt;
  progress_rows: Count;
  error: Json;
  actor: string | null;
  trace_id: string | null;
  created_at: TimestampDefault;
  started_at: Timestamp;
  staged_at: Timestamp;
  commit_started_at: Timestamp;
  finished_at: Timestamp;
  updated_at: TimestampDefault;
  undo_rows: BigIntNull;
  inserted_xact: BigIntNull;
  inserted_rows: BigIntNull;
  reverted_at: Timestamp;
  reverted_by: string | null;
  rows_purged_at: Timestamp;
}

/** `ingest_rows`: a run's invalid rows, and a reviewed run's rows once classified. */
export interface RowsTable {
  run_id: string;
  row_number: number;
  line: number | null;
  action: string;
  values: Json;
  raw: Json;
  errors: Json;
  changes: Json;
  before: Json;
  excluded: ColumnType<boolean, boolean | undefined, boolean>;
}

/** `ingest_undo`: per committed run, each row it changed or deleted, as it was. */
export interface UndoTable {
  run_id: string;
  key: Json;
  before: Json;
  after: BigIntNull;
}

/** `ingest_row_edits`: the cell edits reviewers made to a run's invalid rows. */
export interface RowEditsTable {
  id: Generated<string>;
  run_id: string;
  row_number: number;
  column: string;
  old_value: string | null;
  new_value: string | null;
  actor: string | null;
  edited_at: TimestampDefault;
}

/** `ingest_mappings`: saved column mappings by type, header signature and owner. */
export interface MappingsTable {
  id: Generated<string>;
  upload_type: string;
  signature: string;
  mapping: Json;
  owner: string | null;
  saved_by: string | null;
  updated_at: TimestampDefault;
}

/** `ingest_jobs`: the jobs of queued runs. */
export interface JobsTable {
  run_id: string;
  state: string;
  request: Json;
  traceparent: string | null;
  input_bytes: BigIntNull;
  input_sha256: string | null;
  attempts: Count;
  locked_by: string | null;
  lease_until: Timestamp;
  heartbeat_at: Timestamp;
  created_at: TimestampDefault;
  queued_at: Timestamp;
  claimed_at: Timestamp;
  finished_at: Timestamp;
}

/** `ingest_inputs`: the stored upload of a queued run, in chunks. */
export interface InputsTable {
  run_id: string;
  seq: number;
  bytes: Uint8Array;
}

/** Intake's own tables, by name. */
export interface IntakeTables {
  ingest_runs: RunsTable;
  ingest_rows: RowsTable;
  ingest_undo: UndoTable;
  ingest_row_edits: RowEditsTable;
  ingest_mappings: MappingsTable;
  ingest_jobs: JobsTable;
  ingest_inputs: InputsTable;
}

/** A query builder (or a transaction) over Intake's tables. */
export type IntakeDb = Kysely<IntakeTables>;
