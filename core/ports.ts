/**
 * The ports of core: the small interfaces the pipeline, the run lifecycle and the review need
 * from the world outside, each shaped by who calls it. Storage ports come first (the run log,
 * staging, the review reader and editor, the committer, saved mappings, the target check): one
 * implementation, `createPostgresStore` in `store/postgres/`, runs on both PGlite and PostgreSQL
 * and implements them all (as {@linkcode Store}). Runtime ports (the upload source, byte sources,
 * spooling, hashing) follow; each host (`host/deno/` for the server, the CLI and the job worker)
 * implements them.
 *
 * Core speaks only these: it imports no database library and holds no SQL.
 *
 * @module
 */
import type { ColumnType } from "./config/define_upload_type.ts";
import type { RowAction, Run, RunCounts, RunError, RunMode, RunStatus } from "./runs/run.ts";
import type { NewSavedMapping, RunMapping, SavedMapping } from "./saved_mapping.ts";
import type { Suggestion } from "./suggestions.ts";
import type { CheckedTarget, TargetProblem } from "./target_readiness.ts";

/** A cell value after validation: text, number, boolean or null (dates are ISO strings). */
export type CellValue = string | number | boolean | null;

/** One problem with one cell (or the whole row when `column` is null). */
export interface CellError {
  column: string | null;
  code: string;
  message: string;
  value: string | null;
  /** For `duplicate_key`: the row that holds the first occurrence of the key. */
  firstRow?: number;
}

/** A row written to staging: validated values (or raw strings by column when invalid). */
export interface StagedRow {
  row: number;
  line: number;
  values: Record<string, CellValue>;
  /** Every field of the record exactly as the file had it. */
  raw: string[];
  /** Null when the row passed validation. */
  errors: CellError[] | null;
}

/** One field-level difference between the target and the file. */
export interface FieldChange {
  column: string;
  old: unknown;
  new: unknown;
}

/** A staged row as the review shows it. */
export interface ReviewRow {
  /** Spreadsheet row of the record; negative for target rows a replace would delete. */
  rowNumber: number;
  line: number | null;
  action: RowAction;
  values: Record<string, unknown>;
  changes: FieldChange[];
  errors: CellError[];
  excluded: boolean;
  /**
   * The record's cells as the file had them, in file column order, when a valid row's stored
   * values differ from them (null when they are the same, or the row is invalid: its values
   * are its cells).
   */
  raw: string[] | null;
}

/** A column of an upload type as storage sees it: its name and how its values are typed. */
export interface TargetColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** A column whose values must be keys of another table (another upload type's). */
export interface TargetReference {
  /** The column that holds the reference. */
  readonly column: string;
  /** The referenced table… */
  readonly table: string;
  /** …and its (single-column) key. */
  readonly key: string;
  /** What the referenced rows are called, for messages ("Facilities"). */
  readonly label: string;
}

/** The slice of an upload type the store needs: where rows go and how they are keyed. */
export interface TargetTable {
  /** Target table name (from config, never from a file). */
  table: string;
  /** Key columns. */
  key: readonly string[];
  /** How commit writes: new keys only, insert-or-update, or the file becomes the whole table. */
  writeMode: "insert" | "upsert" | "replace";
  /** Every column the type declares; staging is typed from them. */
  columns: readonly TargetColumn[];
  /** Columns that must hold keys of other tables. */
  references?: readonly TargetReference[];
}

/**
 * Writes one run's rows to its staging area while the file is read: rows are added one by one
 * (and encoded at once, so a batch waiting to be sent is text, not objects), then flushed in
 * batches.
 */
export interface StagingWriter {
  /** Adds a row to the batch being built. */
  add(row: StagedRow): void;
  /** How many rows were added since the last flush. */
  readonly pending: number;
  /**
   * Sends the rows added so far (valid rows to the run's typed staging, invalid ones beside
   * it) and starts a new batch at once, so rows can be added while this one is stored. Only a
   * {@linkcode FirstLoad} gives up (`{gaveUp}`): the database refused a row of the batch.
   */
  flush(): Promise<{ gaveUp: FirstLoadGiveUp } | void>;
}

/**
 * Why a first load gave up: a row it cannot take (invalid, refused by the database for a repeated
 * key or a value out of range, or referencing an unknown key). The pipeline then reads the file
 * again the usual way, which tells every such row apart.
 */
export type FirstLoadGiveUp = "invalid_row" | "database_refused_row" | "unknown_reference";

/**
 * The first load of an empty table (`sql/first_load.ts`): valid rows go straight into the
 * target, in a transaction that holds the table's commit lock until
 * {@linkcode Store.commitFirstLoad} or {@linkcode FirstLoad.abandon}.
 */
export interface FirstLoad extends StagingWriter {
  /** The table being loaded. */
  readonly target: TargetTable;
  /** Rows (added and flushed) whose reference the referenced table lacks. */
  countUnknownReferences(): Promise<number>;
  /**
   * Marks the run `processing → committed` (every row it loaded new) in the transaction and
   * commits it; on failure the transaction is rolled back. Called through
   * {@linkcode Store.commitFirstLoad}, which sees the commit.
   */
  commit(runId: string): Promise<Run>;
  /** Rolls back: the target as it was. Never rejects. */
  abandon(): Promise<void>;
}

/** Fields a new run starts with. */
export interface NewRun {
  id: string;
  uploadType: string;
  mode: RunMode;
  fileName: string | null;
  contentType: string | null;
  actor: string | null;
  traceId: string | null;
  /** `queued` when the upload is stored for the background worker. @default "receiving" */
  status?: "receiving" | "queued";
}

/** Fields that lifecycle steps change on a run. */
export interface RunPatch {
  status?: RunStatus;
  fileBytes?: number;
  sha256?: string;
  fileComplete?: boolean;
  headers?: string[];
  columns?: string[];
  ignoredColumns?: string[];
  mapping?: RunMapping;
  suggestions?: Suggestion[];
  counts?: Partial<RunCounts>;
  progress?: { bytes: number; rows: number };
  error?: RunError | null;
  traceId?: string | null;
  startedAt?: true;
  stagedAt?: true;
  /** Stamps `commitStartedAt`: a reviewer's commit begins. */
  commitStartedAt?: true;
  finishedAt?: true;
  /** How many undo rows the commit recorded (`ingest_undo`). */
  undoRows?: number;
  /** How many rows the commit inserted, in the current transaction (`undo_log.ts`). */
  inserted?: number;
  /** Marks the run reverted now, by this actor. */
  reverted?: { by: string | null };
}

/** Filters and paging for the run history. */
export interface RunQuery {
  uploadType?: string;
  status?: RunStatus;
  /** Only runs started by this actor (an uploader sees their own runs). */
  actor?: string;
  limit: number;
  cursor?: string;
}

/**
 * Which rows of a run the review (and a bulk action) means; every filter given must hold. With
 * both `column` and `code`, one error must have both.
 */
export interface RowFilter {
  action?: RowAction;
  /** Rows with an error or a change in this column. */
  column?: string;
  /** Rows with an error of this code. */
  code?: string;
  /** Rows with a cell that contains this text, case-insensitive. */
  q?: string;
}

/** A sort of the review rows by a column's stored value (rows without one last). */
export interface RowSort {
  column: string;
  descending: boolean;
}

/** Filters, order and paging for the review rows. */
export interface RowQuery extends RowFilter {
  limit: number;
  /** Rows from this file row number on. */
  fromRow?: number;
  /** By a column's value, then row number; in row order when absent. */
  sort?: RowSort;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

/** One kind of error of a run's invalid rows: how many there are and the first one's row. */
export interface ErrorSummaryLine {
  /** Null for errors of the whole row. */
  column: string | null;
  code: string;
  /** The first such error's message. */
  message: string;
  count: number;
  /** The first row with it, and its cell value there. */
  example: { row: number; value: string | null };
}

/** What a revert did to the target table. */
export interface RevertCounts {
  /** Rows the run had inserted, deleted again. */
  deleted: number;
  /** Rows the run had changed, given their values back. */
  restored: number;
  /** Rows the run had deleted (replace mode), inserted again. */
  reinserted: number;
}

/** Rows a reviewer excluded from the commit, by action. */
export type ExcludedCounts = Record<"new" | "changed" | "deleted", number>;

/** An invalid row of a staged run as a fix sees it. */
export interface InvalidRow {
  row: number;
  line: number;
  /** Every field of the record, as the file had it or as edited since. */
  raw: string[];
  errors: CellError[];
}

/** One cell a reviewer changed. */
export interface CellEdit {
  column: string;
  /** The cell before (null when the record was too short to have it). */
  old: string | null;
  new: string;
}

/** An invalid row after a fix: its cells, its values, and its errors (null when now valid). */
export interface FixedRow {
  raw: string[];
  values: Record<string, CellValue>;
  errors: CellError[] | null;
  /**
   * The cells that changed; without any the row was only checked again, and is applied only
   * when that changes its outcome (it passes now, or fails otherwise).
   */
  edits: CellEdit[];
}

/** Rewrites an invalid row, or returns null to leave it as it is. */
export type RowFixer = (row: InvalidRow) => FixedRow | null;

/** What a fix of a run's invalid rows did. */
export interface FixResult {
  /** The rows that changed (now valid or still invalid). */
  updated: number[];
  /** The invalid rows the fix looked at (every one asked for that is invalid). */
  found: number[];
  /** The run's counts afterwards. */
  counts: RunCounts;
}

/** One recorded cell edit of a run. */
export interface RowEdit {
  rowNumber: number;
  column: string;
  oldValue: string | null;
  newValue: string | null;
  actor: string | null;
  editedAt: string;
}

/** A page of results with the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The run log: each run's record and its compare-and-set status changes. */
export interface RunLog {
  /** Creates a run in status `receiving` (or `queued`, see {@linkcode NewRun}). */
  createRun(run: NewRun): Promise<Run>;
  /** Returns the run, or null when the id is unknown. */
  getRun(id: string): Promise<Run | null>;
  /** Lists runs newest first. */
  listRuns(query: RunQuery): Promise<Page<Run>>;
  /**
   * Applies `patch` when the run is in one of the `from` statuses (compare-and-set); throws
   * `conflict` otherwise, `not_found` for an unknown id. Returns the updated run.
   */
  updateRun(id: string, from: readonly RunStatus[], patch: RunPatch): Promise<Run>;
  /** Records live progress while the run is receiving or processing (cheap, about once a second). */
  reportProgress(id: string, progress: { bytes: number; rows: number }): Promise<void>;
  /**
   * Marks an active run as still being worked on (`updated_at`), so a sweeper can tell it from
   * a run whose process died.
   */
  touchRun(id: string): Promise<void>;
}

/** Staging, as the pipeline writes it while a file is read: the run's rows, first loads, and the set-based checks that follow. */
export interface Staging {
  /**
   * Whether {@linkcode Staging.openFirstLoad} can ever start one (the database has bulk
   * transactions), so that a direct import keeps its upload for a second read only then.
   */
  readonly firstLoads: boolean;
  /**
   * Creates the run's staging area for `columns` (the config columns the file has, in file
   * order) and returns its writer (COPY where the driver has it). A direct run's staging lives
   * only until its commit, so it need not survive a crash; a staged run's waits for review.
   * `expectedRows` (0 when unknown) is an estimate of how many rows are coming.
   */
  openStaging(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    mode: RunMode,
    expectedRows?: number,
  ): Promise<StagingWriter>;
  /**
   * Starts the first load of `target` (an empty table) with `columns`, or returns null when it
   * does not qualify (see `sql/first_load.ts`).
   */
  openFirstLoad(target: TargetTable, columns: readonly string[]): Promise<FirstLoad | null>;
  /** Commits a first load as run `runId`; see {@linkcode FirstLoad.commit}. */
  commitFirstLoad(load: FirstLoad, runId: string): Promise<Run>;
  /**
   * Marks later occurrences of a key in the file as invalid (`duplicate_key`, pointing at the
   * first), set-based; returns how many rows it marked.
   */
  markDuplicates(runId: string, target: TargetTable, columns: readonly string[]): Promise<number>;
  /**
   * Marks rows whose references (`target.references`, of the file's `columns`) are not keys of
   * the referenced tables as invalid (`unknown_reference`), set-based; returns how many rows it
   * marked.
   */
  markUnknownReferences(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<number>;
  /**
   * Classifies every valid row against the target (new / changed / unchanged, plus deleted in
   * replace mode), set-based, for review, once {@linkcode Store.markDuplicates} has run.
   * Re-running it (a refresh) classifies against the target as it is now.
   */
  classify(runId: string, target: TargetTable, columns: readonly string[]): Promise<RunCounts>;
  /** Deletes the run's staged rows; `keepInvalid` keeps the ones the error report needs. */
  clearRows(runId: string, keepInvalid: boolean): Promise<void>;
}

/** What the review, the error report and the export read. */
export interface ReviewReader {
  /** Returns a page of staged rows in row order. */
  listRows(runId: string, query: RowQuery): Promise<Page<ReviewRow>>;
  /** Returns the row numbers of the rows `filter` picks, in row order. */
  listRowNumbers(runId: string, filter: RowFilter): Promise<number[]>;
  /** Counts the errors of the run's invalid rows by column and code, largest first. */
  errorSummary(runId: string): Promise<ErrorSummaryLine[]>;
  /** Returns one staged row as the review shows it, or null. */
  getRow(runId: string, rowNumber: number): Promise<ReviewRow | null>;
  /** The run's recorded cell edits, oldest first. */
  listEdits(runId: string): Promise<RowEdit[]>;
  /** How many cell edits the run has recorded. */
  countEdits(runId: string): Promise<number>;
  /** Streams the invalid rows with their raw fields, in row order, for the error report. */
  invalidRows(runId: string): AsyncIterable<{ row: number; raw: string[]; errors: CellError[] }>;
  /** Counts the run's excluded rows by action. */
  countExcluded(runId: string): Promise<ExcludedCounts>;
  /** Streams the target table's rows, sorted by key, in pages of `batchSize`. */
  exportRows(
    target: TargetTable,
    columns: readonly string[],
    batchSize?: number,
  ): AsyncIterable<Record<string, unknown>[]>;
}

/** What a reviewer changes before the commit: fixes, exclusions, a refresh of references. */
export interface ReviewEditor {
  /**
   * Checks references again against the referenced tables as they are now (a refresh): the
   * invalid rows whose only errors are unknown references go back to staging (one whose key a
   * staged row has goes back as `duplicate_key`), then every staged row's references are
   * checked as by {@linkcode Store.markUnknownReferences}; returns how many rows that marked.
   */
  recheckReferences(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
  ): Promise<number>;
  /**
   * In one transaction, while the run is `staged` (`conflict` otherwise): rewrites the run's
   * invalid rows `rows` (every invalid row when null) with `fix`, records each cell edit by
   * `actor`, moves the rows that are now valid to staging (an in-file duplicate key or an unknown
   * reference sends one back as invalid), classifies them against the target and updates the
   * run's counts.
   */
  fixRows(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    rows: readonly number[] | null,
    fix: RowFixer,
    actor: string | null,
  ): Promise<FixResult>;
  /**
   * Excludes rows from the commit (or includes them again) while the run is staged; only new,
   * changed and deleted rows can be excluded. Returns how many rows changed.
   */
  setExcluded(runId: string, rows: readonly number[], excluded: boolean): Promise<number>;
}

/** Writes runs to (and takes them back from) their target tables. */
export interface Committer {
  /**
   * In one transaction: serializes with other commits to the same table, writes the run and
   * marks it committed (with its final counts). A reviewed run keeps its rows (the record of
   * what it applied, until {@linkcode Store.purgeCommittedRows}); a direct import's staging is
   * cleared except the invalid rows (they back the error report).
   *
   * A classified (reviewed) run is written exactly as reviewed: new/changed (and deleted) rows
   * minus the excluded ones and `excludeRows`, refused with `stale_review` when the target
   * changed since classification, and with `nothing_to_commit` when it would write no row. A
   * run never classified (a direct import) is classified by the write itself, under the lock,
   * so it cannot be stale.
   */
  commit(
    runId: string,
    target: TargetTable,
    columns: readonly string[],
    excludeRows: readonly number[],
  ): Promise<Run>;
  /**
   * In one transaction, under the same lock as commits to the table: reverts a committed run from
   * the undo log its commit recorded (deletes the rows it inserted, restores the rows it changed
   * or deleted) and marks it `reverted` by `actor`. Throws `conflict` unless the run is committed
   * with an undo log, `revert_conflict` (nothing changed) when any row it wrote changed since.
   */
  revert(
    runId: string,
    target: TargetTable,
    actor: string | null,
  ): Promise<{ run: Run; counts: RevertCounts }>;
  /**
   * Drops the rows reviewed runs committed (or reverted) more than `retentionMs` ago kept as
   * the record of what they applied (their invalid rows stay), marking each run's
   * `rowsPurgedAt`; returns the ids of the runs it purged.
   */
  purgeCommittedRows(retentionMs: number): Promise<string[]>;
}

/** Saved column mappings. */
export interface Mappings {
  /**
   * The column mapping saved for files of this type with these headers: `owner`'s own when they
   * have one, else the shared one, else null.
   */
  findMapping(
    uploadType: string,
    signature: string,
    owner: string | null,
  ): Promise<SavedMapping | null>;
  /** Saves a column mapping, replacing the one of the same type, signature and owner. */
  saveMapping(mapping: NewSavedMapping): Promise<SavedMapping>;
}

/** Checks that an upload type's target table and columns are there. */
export interface TargetChecker {
  /** What is missing of the type's target table and columns, or null when they are there. */
  checkTarget(target: CheckedTarget): Promise<TargetProblem | null>;
}

/** Every storage port: what `store/postgres/` implements and hosts pass around. */
export interface Store
  extends RunLog, Staging, ReviewReader, ReviewEditor, Committer, Mappings, TargetChecker {}

// ---------------------------------------------------------------------------------------------
// Runtime ports: built by each host (the HTTP server, the CLI, the job worker).

/**
 * Where an upload's bytes come from, built by each host: a request body (spooled when asked to
 * be kept), a file, a stored job input. The pipeline opens it once, and again only after
 * {@linkcode UploadSource.keepForRereading} said yes: a direct import may then try a first load
 * (`store/postgres/first_load.ts`) and, when that gives up, read the upload again the usual way.
 */
export interface UploadSource {
  /** The upload's bytes from the start. */
  open(): Promise<ReadableStream<Uint8Array>>;
  /**
   * Asked before the first `open()`: keep the upload so that `open()` can be called again once
   * the first stream was read to its end (a request body is spooled as it is read). Resolves
   * false when the source cannot (a pipe); absent means it cannot.
   */
  keepForRereading?(): Promise<boolean>;
}

/** Bytes that can be read at any offset. */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset` (fewer only at the end). */
  read(offset: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
  /** Releases the storage (deletes a spooled file). */
  close(): Promise<void>;
}

/**
 * Turns an upload's byte stream into a {@linkcode ByteSource}: a workbook needs random access, so
 * the host keeps it somewhere it can read ranges back from (a temporary file on a server).
 */
export type Spool = (stream: ReadableStream<Uint8Array>) => Promise<ByteSource>;

/** An incremental SHA-256: fed the bytes in order, then asked once for the digest. */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** The digest of everything fed, as lowercase hex. */
  hex(): string;
}
