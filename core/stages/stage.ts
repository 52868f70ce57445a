/**
 * Stage `stage`: the validated rows are written to the run's staging (in COPY batches, by the
 * pipeline as they come), then counted: repeated keys and unknown references become invalid rows,
 * and a staged run is classified against the target for review. A direct run is not: its commit
 * classifies by writing.
 *
 * @module
 */
import type { ResolvedUploadType } from "../config/upload_type_schema.ts";
import { IngestError } from "../errors.ts";
import { emptyCounts, type RunCounts, type RunMode } from "../runs/run.ts";
import type { CellValue, Staging } from "../ports.ts";
import { defineStageSpan } from "../telemetry.ts";
import type { HeaderMapping } from "./map_headers/header_match.ts";
import type { SourceRecord } from "./parse/source_record.ts";

/** What the `ingest.stage` span closes with. */
export interface StageCounts {
  counts: RunCounts;
  /** Reference checks of the type (each a lookup per staged row). */
  referenceChecks: number;
  unknownReferenceRows: number;
  /** Time spent writing staged rows. */
  busyMs: number;
  /** A first load's staging is its commit's transaction. */
  firstLoad?: boolean;
}

/** The `ingest.stage` span: opens with the first write, closes with the run's counts. */
export const stageSpan = defineStageSpan("stage", (c: StageCounts) => ({
  ...(c.firstLoad ? { "ingest.first_load": true } : {}),
  "ingest.rows": c.counts.rows,
  "ingest.invalid_rows": c.counts.invalid,
  "ingest.new_rows": c.counts.new,
  "ingest.changed_rows": c.counts.changed,
  "ingest.unchanged_rows": c.counts.unchanged,
  "ingest.deleted_rows": c.counts.deleted,
  "ingest.reference_checks": c.referenceChecks,
  "ingest.unknown_reference_rows": c.unknownReferenceRows,
  "ingest.busy_ms": Math.round(c.busyMs),
}));

/** A run's staged rows as the parse and validate stages left them. */
export interface StagedRows {
  rows: number;
  invalid: number;
  columns: string[];
}

/**
 * Counts the staged rows: duplicate keys and unknown references become invalid rows, then a
 * staged run is classified for review; a direct run is not, since its commit classifies by
 * writing (unless its invalid rows refuse it: classifying still tells its failed run what it held).
 */
export async function countStaged(
  store: Staging,
  runId: string,
  type: ResolvedUploadType,
  mode: RunMode,
  staged: StagedRows,
): Promise<{ counts: RunCounts; unknownReferences: number }> {
  const duplicates = await store.markDuplicates(runId, type, staged.columns);
  const unknownReferences = await store.markUnknownReferences(runId, type, staged.columns);
  if (mode === "staged") {
    return { counts: await store.classify(runId, type, staged.columns), unknownReferences };
  }
  const invalid = staged.invalid + duplicates + unknownReferences;
  const counts = { ...emptyCounts(), rows: staged.rows, invalid };
  return {
    counts: invalidPolicyError(type, mode, runId, counts)
      ? await store.classify(runId, type, staged.columns)
      : counts,
    unknownReferences,
  };
}

/** The `validation_error` the type's invalid-row policy raises for `counts`, if any. */
export function invalidPolicyError(
  type: ResolvedUploadType,
  mode: RunMode,
  runId: string,
  counts: RunCounts,
): IngestError | null {
  if (counts.invalid === 0) return null;
  const details = { runId, counts };
  if (type.onInvalid === "reject" && mode === "direct") {
    return new IngestError(
      "validation_error",
      `${counts.invalid} of ${counts.rows} rows are invalid; nothing was imported`,
      details,
    );
  }
  if (type.onInvalid !== "skip") return null;
  const percent = counts.rows ? (counts.invalid / counts.rows) * 100 : 0;
  if (
    (type.maxInvalidRows !== undefined && counts.invalid > type.maxInvalidRows) ||
    (type.maxInvalidPercent !== undefined && percent > type.maxInvalidPercent)
  ) {
    return new IngestError(
      "validation_error",
      `${counts.invalid} of ${counts.rows} rows are invalid, more than ${type.label} allows`,
      {
        ...details,
        maxInvalidRows: type.maxInvalidRows,
        maxInvalidPercent: type.maxInvalidPercent,
      },
    );
  }
  return null;
}

/**
 * How many rows `bytes` (if known) hold, from the first batch's records (the header first): the
 * characters of their fields and delimiters, which are their bytes in ASCII.
 */
export function expectedRows(bytes: number | undefined, batch: readonly SourceRecord[]): number {
  if (!bytes || batch.length < 2) return 0;
  let chars = 0;
  for (let i = 1; i < batch.length; i++) {
    const fields = batch[i].fields;
    chars += fields.length;
    for (let f = 0; f < fields.length; f++) chars += fields[f].length;
  }
  return Math.ceil(bytes / (chars / (batch.length - 1)));
}

/** The raw cells of an invalid row, keyed by the config column they map to. */
export function rawValues(fields: string[], mapping: HeaderMapping): Record<string, CellValue> {
  const values: Record<string, CellValue> = {};
  for (const { index, column } of mapping.columns) values[column.name] = fields[index] ?? null;
  return values;
}
