/**
 * The wire shapes the JSON API answers with that more than one route shares (the run, an upload
 * type, a review row, a saved mapping), as zod schemas. Route modules name them in their `api`
 * declarations and `server/openapi.ts` turns them into the OpenAPI document; the API tests check
 * every answer against that document, so a shape that changes without its schema fails a test.
 * The run's schema is also tied to the `Run` type at compile time.
 *
 * @module
 */
import { z } from "zod";
import { COLUMN_TYPES } from "../core/config/define_upload_type.ts";
import { ROW_ACTIONS, RUN_STATUSES } from "../core/runs/run.ts";
import type { RowAction, Run, RunStatus } from "../core/runs/run.ts";
import type { IngestErrorType } from "../core/errors.ts";
import { STATUS_OF } from "./http_errors.ts";

/** Every error type, as `server/http_errors.ts` maps them to statuses. */
export const ERROR_TYPES = Object.keys(STATUS_OF) as [IngestErrorType, ...IngestErrorType[]];

const timestamp = z.string().describe("ISO 8601 time");
const count = z.number().int().min(0);

/** A column mapping: file header → config column, or null to ignore the header. */
export const ColumnMappingSchema = z.record(z.string(), z.string().nullable());

/** A run's row counts (`rows` counts every data row, invalid ones included). */
export const RunCountsSchema = z.object({
  rows: count,
  new: count,
  changed: count,
  unchanged: count,
  invalid: count,
  deleted: count,
  excluded: count,
}).meta({ id: "RunCounts" });

/** What a column's failing values suggest (`core/suggestions.ts`). */
export const SuggestionSchema = z.object({
  id: z.number().int(),
  kind: z.enum(["formats", "nullValues", "numberFormat"]),
  column: z.string(),
  label: z.string(),
  config: z.string(),
  applied: z.boolean(),
  formats: z.array(z.string()).optional(),
  nullValues: z.array(z.string()).optional(),
  decimalSeparator: z.literal(",").optional(),
  thousandsSeparator: z.enum([".", ",", " "]).optional(),
}).meta({ id: "Suggestion" });

/** An error as the API and a failed run carry it. */
export const ErrorObjectSchema = z.object({
  type: z.enum(ERROR_TYPES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** A run, as every run route answers it (docs/api.md, "The run"). */
export const RunSchema = z.object({
  id: z.string(),
  uploadType: z.string(),
  mode: z.enum(["direct", "staged"]),
  status: z.enum(RUN_STATUSES as readonly [RunStatus, ...RunStatus[]]),
  fileName: z.string().nullable(),
  contentType: z.string().nullable(),
  fileBytes: count,
  sha256: z.string().nullable(),
  fileComplete: z.boolean().nullable(),
  headers: z.array(z.string()),
  columns: z.array(z.string()),
  ignoredColumns: z.array(z.string()),
  mapping: z.object({
    columns: z.array(z.object({
      header: z.string(),
      column: z.string().nullable(),
      source: z.enum(["exact", "alias", "explicit", "saved", "none"]),
    })),
    saved: z.object({ id: z.number().int(), shared: z.boolean(), savedBy: z.string().nullable() })
      .nullable(),
    given: ColumnMappingSchema.nullable(),
  }).nullable(),
  counts: RunCountsSchema,
  progress: z.object({ bytes: count, rows: count }),
  error: ErrorObjectSchema.nullable(),
  actor: z.string().nullable(),
  traceId: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  stagedAt: timestamp.nullable(),
  commitStartedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  revertedAt: timestamp.nullable(),
  revertedBy: z.string().nullable(),
  rowsPurgedAt: timestamp.nullable(),
  suggestions: z.array(SuggestionSchema),
}).meta({ id: "Run" });

/** An upload type as the listing describes it (`describeUploadType`). */
export const UploadTypeSchema = z.object({
  name: z.string(),
  label: z.string(),
  description: z.string(),
  table: z.string(),
  key: z.array(z.string()),
  writeMode: z.enum(["insert", "upsert", "replace"]),
  onInvalid: z.enum(["reject", "skip"]),
  maxInvalidRows: z.number().int().nullable(),
  maxInvalidPercent: z.number().nullable(),
  maxFileBytes: z.number().int(),
  maxRows: z.number().int(),
  columns: z.array(z.object({
    name: z.string(),
    label: z.string(),
    type: z.enum(COLUMN_TYPES),
    required: z.boolean(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
    maxLength: z.number().int().optional(),
    pattern: z.string().optional(),
    values: z.array(z.string()).optional(),
    aliases: z.array(z.string()),
  })),
}).meta({ id: "UploadType" });

/** A staged row as the review lists it (`showRows`), with its diffs and errors. */
export const ReviewRowSchema = z.object({
  rowNumber: z.number().int(),
  line: z.number().int().nullable(),
  action: z.enum(ROW_ACTIONS as readonly [RowAction, ...RowAction[]]),
  values: z.record(z.string(), z.unknown()),
  changes: z.array(z.object({ column: z.string(), old: z.unknown(), new: z.unknown() })),
  errors: z.array(z.object({
    column: z.string().nullable(),
    code: z.string(),
    message: z.string(),
    value: z.string().nullable(),
    firstRow: z.number().int().optional(),
    suggestion: SuggestionSchema.optional(),
  })),
  excluded: z.boolean(),
  written: z.record(z.string(), z.string()),
}).meta({ id: "ReviewRow" });

/** The saved mapping that applies to a header for the caller, or both null. */
export const SavedSuggestionSchema = z.object({
  mapping: ColumnMappingSchema.nullable(),
  savedMapping: z.object({
    id: z.number().int(),
    shared: z.boolean(),
    savedBy: z.string().nullable(),
    updatedAt: timestamp,
  }).nullable(),
});

/** True when `A` and `B` are assignable both ways. */
type Same<A, B> = [A] extends [B] ? [B] extends [A] ? true : false : false;
// The run's schema and the Run type must say the same: a field added to one fails `deno check`.
const _runSchemaIsRun: Same<z.output<typeof RunSchema>, Run> = true;
