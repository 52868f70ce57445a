/**
 * The ingest pipeline: carries one upload from a byte stream through every stage to a staged
 * (or, in direct mode, committed) run.
 *
 * receive → decode → parse → map headers → validate → stage (+ classify) → commit
 *
 * Everything streams: the body is read once, records flow in batches, staged rows are written
 * in fixed-size COPY batches while the next batch is parsed, so memory stays flat in file size.
 *
 * @module
 */
import type { Context } from "@opentelemetry/api";
import type { ResolvedUploadType } from "./config/upload_type_schema.ts";
import { IngestError, type IngestErrorType, toIngestError } from "./errors.ts";
import { isFinal, type Run, type RunCounts, type RunMode } from "./runs/run.ts";
import { asFailed, markRunFailed } from "./runs/failure.ts";
import { receive, type Received, receiveSpan } from "./stages/receive.ts";
import type { Sha256, Spool } from "./ports.ts";
import { decode, decodeSpan, type Encoding } from "./stages/decode.ts";
import type { SourceRecord } from "./stages/parse/source_record.ts";
import { type FileFormat, parseRecords, parseSpan, parseWorkbook } from "./stages/parse.ts";
import type { UploadLimits } from "./limits.ts";
import type { ColumnMapping, HeaderMapping } from "./stages/map_headers/header_match.ts";
import { mapHeaderRow } from "./stages/map_headers.ts";
import { rememberMapping } from "./saved_mapping.ts";
import { compileRowValidator, validateSpan } from "./stages/validate.ts";
import { FailureSampler } from "./suggestions.ts";
import {
  countStaged,
  expectedRows,
  invalidPolicyError,
  rawValues,
  stageSpan,
} from "./stages/stage.ts";
import type {
  Committer,
  FirstLoad,
  FirstLoadGiveUp,
  Mappings,
  RunLog,
  Staging,
  StagingWriter,
  TargetChecker,
  UploadSource,
} from "./ports.ts";
import {
  recordFailure,
  runSpanAttributes,
  type StageName,
  StageSpans,
  startSpan,
  traceIdOf,
} from "./telemetry.ts";
import { applyCommit, commitFirstLoad, firstLoadCommitSpan } from "./stages/commit.ts";
import { keepRunAlive } from "./runs/heartbeat.ts";
import { typeNotReady } from "./target_readiness.ts";

/** The storage ports a run goes through, from its record to its commit. */
export type PipelineStore = RunLog & Staging & Mappings & TargetChecker & Committer;

/** Live progress of a run, reported about twice a second. */
export interface Progress {
  stage: StageName;
  bytes: number;
  rows: number;
}

/** One upload to carry through the pipeline. */
export interface IngestRequest {
  type: ResolvedUploadType;
  /** Where the upload's bytes come from, built by the host (request body, file, stored input). */
  source: UploadSource;
  mode: RunMode;
  fileName?: string | null;
  contentType?: string | null;
  /** Declared encoding; UTF-8 (strict) when absent. */
  encoding?: Encoding;
  /** The file's format (from its name, type and content); CSV when absent. */
  format?: FileFormat;
  /**
   * File header → config column (null: ignore). Without it, headers a saved mapping would
   * change stop the run with `mapping_required`; sending that mapping confirms it.
   */
  mapping?: ColumnMapping;
  /**
   * The actor may change shared settings: the mapping a direct import was sent with is saved for
   * everyone once it commits, else for the actor alone.
   */
  shareMapping?: boolean;
  /** XLSX: the sheet to read; the first sheet when absent. */
  sheet?: string;
  /**
   * XLSX: where the upload is kept while the workbook is read (a workbook needs random access).
   * In memory when absent; the server spools to a temporary file.
   */
  spool?: Spool;
  /** CSV field delimiter; detected when absent (pass "\t" for TSV). */
  delimiter?: "," | ";" | "\t" | "|";
  actor?: string | null;
  /**
   * A run created `queued` (its upload stored for the background worker) to carry through
   * instead of creating a new one; it moves `queued → receiving` when the pipeline starts.
   */
  queued?: Run;
  /** Operator's cap on file size; the type's `maxFileBytes` applies when lower. */
  maxFileBytes?: number;
  /** The upload's memory budget as reader bounds (`INTAKE_UPLOAD_MEMORY_BYTES`). @default {uploadLimits()} */
  limits?: UploadLimits;
  /**
   * The upload's size when known before it is read (a file's size, a `Content-Length`): staging
   * sizes its duplicate-key filter for the rows that many bytes hold.
   */
  expectedBytes?: number;
  /** Makes the file's SHA-256 hasher: the runtime's native one when it has one. */
  sha256?: () => Sha256;
  /** Parent trace context (the HTTP request's span). */
  parent?: Context;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Rows per staging write (COPY batch). */
  batchSize?: number;
}

/** A started ingest: the run as created, and promises for the body being read and the end. */
export interface IngestHandle {
  run: Run;
  /** Settles when the body has been read to its end (or reading failed). Never rejects. */
  received: Promise<void>;
  /** The run once staged, committed or failed. Never rejects. */
  done: Promise<Run>;
}

// Which stage a typed error belongs to, for the span that gets the ERROR status.
const STAGE_OF: Partial<Record<IngestErrorType, StageName>> = {
  file_too_large: "receive",
  type_not_ready: "receive",
  cancelled: "receive",
  bad_request: "parse",
  encoding_error: "decode",
  unsupported_file_type: "decode",
  parse_error: "parse",
  too_many_rows: "parse",
  limit_exceeded: "parse",
  header_error: "map_headers",
  mapping_required: "map_headers",
  validation_error: "validate",
};

/**
 * Opens `request.source`, creates the run and starts carrying the upload through the pipeline.
 * A direct import where the store can make first loads asks the source to be kept for a second
 * read first: a first load that gives up reads the upload again the usual way.
 *
 * @example Direct import of a small file
 * ```ts ignore
 * const handle = await startIngest(store, { type, mode: "direct", source: streamSource(file.stream()) });
 * const run = await handle.done; // status "committed" or "failed" with run.error
 * ```
 */
export async function startIngest(
  store: PipelineStore,
  request: IngestRequest,
): Promise<IngestHandle> {
  const id = request.queued?.id ?? crypto.randomUUID();
  const common = runSpanAttributes(request.type.name, { id, mode: request.mode });
  const root = startSpan("ingest.run", {
    ...common,
    ...(request.fileName ? { "ingest.file_name": request.fileName } : {}),
  }, request.parent);
  let run: Run;
  let body: ReadableStream<Uint8Array> | null = null;
  let rereadable = false;
  try {
    rereadable = request.mode === "direct" && store.firstLoads &&
      (await request.source.keepForRereading?.() ?? false);
    body = await request.source.open();
    run = request.queued
      ? await store.updateRun(id, ["queued"], {
        status: "receiving",
        startedAt: true,
        traceId: traceIdOf(root.span) ?? request.queued.traceId,
      })
      : await store.createRun({
        id,
        uploadType: request.type.name,
        mode: request.mode,
        fileName: request.fileName ?? null,
        contentType: request.contentType ?? null,
        actor: request.actor ?? null,
        traceId: traceIdOf(root.span),
      });
  } catch (err) {
    recordFailure(root.span, err);
    root.span.end();
    await body?.cancel().catch(() => {});
    throw toIngestError(err);
  }
  let markReceived!: () => void;
  const received = new Promise<void>((resolve) => markReceived = resolve);
  const spans = new StageSpans(root.context, common);
  const done = new IngestRun(store, request, body, rereadable, run, spans, markReceived).execute()
    .then((final) => {
      root.span.setAttributes(runAttributes(final));
      root.span.end();
      return final;
    }, async (err) => {
      recordFailure(root.span, err);
      root.span.end();
      // The database may be what failed: then the run as this process knows it has to do (its
      // record follows once the database is back, see markRunFailed).
      const stored = await store.getRun(id).catch(() => null);
      return stored && isFinal(stored.status)
        ? stored
        : asFailed(stored ?? run, toIngestError(err));
    });
  return { run, received, done };
}

function runAttributes(run: Run): Record<string, string | number> {
  return {
    "ingest.status": run.status,
    "ingest.bytes": run.fileBytes,
    "ingest.rows": run.counts.rows,
    "ingest.invalid_rows": run.counts.invalid,
    "ingest.new_rows": run.counts.new,
    "ingest.changed_rows": run.counts.changed,
    "ingest.unchanged_rows": run.counts.unchanged,
    "ingest.deleted_rows": run.counts.deleted,
  };
}

/** The state of one run while it goes through the stages. */
class IngestRun {
  readonly #store: PipelineStore;
  readonly #request: IngestRequest;
  /** The upload as first opened. */
  readonly #body: ReadableStream<Uint8Array>;
  /** The source may be opened again: a direct import may try a first load. */
  readonly #rereadable: boolean;
  readonly #run: Run;
  readonly #spans: StageSpans;
  readonly #markReceived: () => void;
  readonly #progress: Progress = { stage: "receive", bytes: 0, rows: 0 };
  #lastReport = 0;
  #stage: StageName = "receive";
  /** The first load under way, if this run is one. */
  #firstLoad: FirstLoad | null = null;
  /** Why the first load gave up, once it has: the rest of the file is only read. */
  #gaveUp: FirstLoadGiveUp | null = null;
  /** True while the file is read again after a first load gave up. */
  #restarted = false;
  /** The upload being received, for what the run records of it when it fails. */
  #receiving: ReturnType<typeof receive> | null = null;

  constructor(
    store: PipelineStore,
    request: IngestRequest,
    body: ReadableStream<Uint8Array>,
    rereadable: boolean,
    run: Run,
    spans: StageSpans,
    markReceived: () => void,
  ) {
    this.#store = store;
    this.#request = request;
    this.#body = body;
    this.#rereadable = rereadable;
    this.#run = run;
    this.#spans = spans;
    this.#markReceived = markReceived;
  }

  async execute(): Promise<Run> {
    const stopHeartbeat = keepRunAlive(this.#store, this.#run.id);
    try {
      const run = await this.#process(this.#body);
      await this.#rememberMapping(run);
      return run;
    } catch (err) {
      await this.#firstLoad?.abandon();
      const error = toIngestError(err);
      // The audit keeps the size and hash of what arrived, of the whole file when it all did:
      // a stage that stopped reading early (a bad header) has the rest read and hashed first.
      this.#receiving?.stop(error);
      const received = await this.#receiving?.received;
      this.#markReceived();
      // A failed commit has already been recorded on its own span by applyCommit.
      if (this.#stage !== "commit") this.#spans.abort(STAGE_OF[error.type] ?? this.#stage, error);
      throw await this.#fail(error, received);
    } finally {
      stopHeartbeat();
    }
  }

  /**
   * Saves the mapping a committed direct import was sent with. The import is done either way:
   * a mapping not saved is asked for again next time.
   */
  async #rememberMapping(run: Run): Promise<void> {
    const { type, actor, shareMapping } = this.#request;
    const committer = { name: actor ?? null, shared: shareMapping ?? false };
    await rememberMapping(this.#store, type, run, committer).catch(() => {});
  }

  async #process(body: ReadableStream<Uint8Array>): Promise<Run> {
    const { type } = this.#request;
    const id = this.#run.id;
    // A table dropped (or never created) since start: a typed 503, not a database error later.
    const problem = this.#restarted ? null : await this.#store.checkTarget(type);
    if (problem) {
      await body.cancel().catch(() => {});
      throw typeNotReady(problem);
    }
    const maxBytes = Math.min(type.maxFileBytes, this.#request.maxFileBytes ?? Infinity);
    const spans = this.#spans;
    const received = this.#receiving = receive(body, {
      maxBytes,
      drain: true,
      signal: this.#request.signal,
      sha256: this.#request.sha256,
      spans,
      onProgress: (bytes) => {
        this.#progress.bytes = bytes;
        this.#report();
      },
    });
    // Failures surface through the stream; this keeps the same rejection from going unhandled.
    received.stats.catch(() => {});
    const { format, encoding, delimiter, limits, spool, sheet } = this.#request;
    const records = format === "xlsx"
      ? parseWorkbook(received.stream, {
        spool,
        sheet,
        // Workbooks compress about 5–10×; more than 10× the upload limit smells of a zip bomb.
        maxExpandedBytes: 10 * maxBytes,
        limits,
        spans,
      })
      : parseRecords(decode(received.stream, { encoding, spans }), {
        format,
        delimiter,
        limits,
        spans,
      });
    const staged = await this.#stageRecords(records);
    const stats = await received.stats;
    this.#markReceived();
    if (this.#gaveUp) return await this.#restart();
    receiveSpan.close(spans, stats);
    decodeSpan.close(spans, stats);
    parseSpan.close(spans, { bytes: stats.bytes, records: staged.rows + 1 });
    validateSpan.close(spans, {
      rows: staged.rows,
      invalid: staged.invalid,
      busyMs: staged.validateMs,
    });
    await this.#store.updateRun(id, ["processing"], {
      fileBytes: stats.bytes,
      sha256: stats.sha256,
      fileComplete: true,
      progress: { bytes: stats.bytes, rows: staged.rows },
      suggestions: staged.suggestions,
    });

    this.#stage = "stage";
    if (this.#firstLoad) return await this.#commitFirstLoad(this.#firstLoad, staged);
    const { mode } = this.#request;
    const { counts, unknownReferences } = await countStaged(this.#store, id, type, mode, staged);
    const stageEnded = performance.now();
    await this.#store.updateRun(id, ["processing"], { counts });
    const refused = invalidPolicyError(type, mode, id, counts);
    if (mode === "staged" || refused) {
      this.#closeStage(counts, staged.writeMs, unknownReferences);
      if (refused) throw refused;
      return await this.#store.updateRun(id, ["processing"], {
        status: "staged",
        stagedAt: true,
        counts,
      });
    }
    this.#stage = "commit";
    let final = await this.#store.updateRun(id, ["processing"], {
      status: "committing",
      counts,
    });
    try {
      final = await applyCommit(this.#store, type, final, [], this.#spans.parent);
      return final;
    } finally {
      // A direct import's new/changed/unchanged counts come from its write.
      this.#closeStage(final.counts, staged.writeMs, unknownReferences, stageEnded);
    }
  }

  /**
   * Ends a first load: commits it when every reference is known, else gives up (see
   * {@linkcode IngestRun.#restart}).
   */
  async #commitFirstLoad(load: FirstLoad, staged: { writeMs: number }) {
    const unknown = await load.countUnknownReferences();
    if (unknown > 0) {
      this.#gaveUp = "unknown_reference";
      return await this.#restart();
    }
    const stageEnded = performance.now();
    this.#stage = "commit";
    // The commit ends the transaction, committed or rolled back: nothing is left to abandon.
    this.#firstLoad = null;
    const run = await commitFirstLoad(this.#store, load, this.#run.id, this.#spans);
    this.#closeStage(run.counts, staged.writeMs, 0, stageEnded, true);
    firstLoadCommitSpan.close(this.#spans, run.counts);
    return run;
  }

  /**
   * A first load that met a row it cannot take (invalid, a repeated key, an unknown reference)
   * rolls back and reads the file again the usual way, which tells every such row apart: the
   * same result as if it had never tried. Its spans end marked with the reason.
   */
  async #restart(): Promise<Run> {
    await this.#firstLoad!.abandon();
    this.#firstLoad = null;
    this.#spans.endAll({
      "ingest.first_load": "gave_up",
      "ingest.first_load_reason": this.#gaveUp!,
    });
    this.#gaveUp = null;
    this.#restarted = true;
    this.#progress.rows = 0;
    return await this.#process(await this.#request.source.open());
  }

  #closeStage(
    counts: RunCounts,
    writeMs: number,
    unknownReferenceRows: number,
    endedAt?: number,
    firstLoad = false,
  ): void {
    stageSpan.close(this.#spans, {
      counts,
      referenceChecks: this.#request.type.references?.length ?? 0,
      unknownReferenceRows,
      busyMs: writeMs,
      firstLoad,
    }, endedAt);
  }

  /** Parses, maps headers, validates and writes staged rows; returns what it saw. */
  async #stageRecords(batches: AsyncGenerator<SourceRecord[]>) {
    const { type } = this.#request;
    const batchSize = this.#request.batchSize ?? 5000;
    let mapping: HeaderMapping | undefined;
    let validate: ReturnType<typeof compileRowValidator> | undefined;
    let writer: StagingWriter | undefined;
    let rows = 0;
    let invalid = 0;
    const failures = new FailureSampler();
    let validateMs = 0;
    let writeMs = 0;
    let writing: Promise<void> = Promise.resolve();
    let writeError: unknown;
    // One COPY in flight while the next batch is parsed and validated; waiting for it before
    // queuing another keeps memory at two batches, whatever the file size.
    const flush = async () => {
      await writing;
      if (writeError) throw writeError;
      stageSpan.open(this.#spans);
      const started = performance.now();
      writing = writer!.flush().then(
        (result) => {
          // A first load the database refused a row of (a repeated key, a value out of its
          // range) gives up: the usual path finds which.
          if (result) this.#gaveUp ??= result.gaveUp;
          else writeMs += performance.now() - started;
        },
        (err) => {
          writeError = err;
        },
      );
    };

    for await (const batch of batches) {
      let start = 0;
      if (!mapping) {
        this.#stage = "map_headers";
        const { mapping: given, actor } = this.#request;
        const mapped = await mapHeaderRow(this.#store, batch[0].fields, {
          type,
          given,
          actor: actor ?? null,
          spans: this.#spans,
        });
        mapping = mapped.mapping;
        validate = compileRowValidator(type, mapping);
        const columns = mapping.columns.map((c) => c.column.name);
        await this.#store.updateRun(this.#run.id, [this.#restarted ? "processing" : "receiving"], {
          status: "processing",
          headers: batch[0].fields,
          columns,
          ignoredColumns: mapping.ignored.map((c) => c.header),
          mapping: mapped.record,
        });
        writer = await this.#openWriter(columns, batch);
        start = 1;
        this.#stage = "validate";
      }
      validateSpan.open(this.#spans);
      const started = performance.now();
      // A first load that gave up only reads the rest of the file, to read it again.
      for (let i = this.#gaveUp ? batch.length : start; i < batch.length; i++) {
        const record = batch[i];
        const result = validate!(record.fields, record.numbers);
        if (!result.ok) {
          invalid++;
          failures.add(result.errors);
          if (writer === this.#firstLoad) {
            this.#gaveUp = "invalid_row";
            break;
          }
        }
        writer!.add({
          row: record.row,
          line: record.line,
          values: result.ok ? result.values : rawValues(record.fields, mapping),
          raw: record.fields,
          errors: result.ok ? null : result.errors,
        });
      }
      rows += batch.length - start;
      validateMs += performance.now() - started;
      if (rows > type.maxRows) {
        throw new IngestError(
          "too_many_rows",
          `The file has more than ${type.maxRows} rows, the limit for ${type.label}`,
          { maxRows: type.maxRows },
        );
      }
      this.#progress.rows = rows;
      this.#report();
      if (writer!.pending >= batchSize && !this.#gaveUp) await flush();
    }
    if (!mapping) {
      throw new IngestError("bad_request", "The file is empty: it has no header row", {});
    }
    if (writer?.pending && !this.#gaveUp) await flush();
    this.#stage = "stage";
    await writing;
    if (writeError) throw writeError;
    return {
      rows,
      invalid,
      suggestions: failures.suggestions(type),
      validateMs,
      writeMs,
      columns: mapping.columns.map((c) => c.column.name),
    };
  }

  /**
   * A first load when the run may be one (a direct import that can read its file again, not
   * read again already) and the store takes it, else the run's staging.
   */
  async #openWriter(columns: string[], batch: readonly SourceRecord[]): Promise<StagingWriter> {
    const { type, mode } = this.#request;
    if (this.#rereadable && !this.#restarted) {
      this.#firstLoad = await this.#store.openFirstLoad(type, columns);
      if (this.#firstLoad) return this.#firstLoad;
    }
    return await this.#store.openStaging(
      this.#run.id,
      type,
      columns,
      mode,
      expectedRows(this.#request.expectedBytes, batch),
    );
  }

  #report(): void {
    const now = Date.now();
    if (now - this.#lastReport < 500) return;
    this.#lastReport = now;
    this.#progress.stage = this.#stage;
    this.#request.onProgress?.({ ...this.#progress });
    // Progress in the run record lets other requests (and instances) show it; best effort.
    this.#store.reportProgress(this.#run.id, this.#progress).catch(() => {});
  }

  async #fail(error: IngestError, received: Received | undefined): Promise<IngestError> {
    // A failed commit was recorded by applyCommit already (keeping the invalid rows); this then
    // finds the run failed and leaves it alone.
    const keepInvalid = error.type === "validation_error" || this.#stage === "commit";
    const active = ["receiving", "processing", "committing"] as const;
    const patch = received && {
      fileBytes: received.bytes,
      sha256: received.sha256,
      fileComplete: received.complete,
    };
    await markRunFailed(this.#store, this.#run.id, active, error, { keepInvalid, patch });
    return error;
  }
}
