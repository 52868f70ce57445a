/**
 * The schema of an upload type's configuration, validated with zod when the server starts, and
 * its resolved (fully defaulted, frozen) form that the rest of Intake reads.
 *
 * This module is browser compatible.
 *
 * @example Resolve a config and read its defaults
 * ```ts
 * import { resolveUploadType } from "./upload_type_schema.ts";
 * const type = resolveUploadType({
 *   name: "sites", label: "Sites", table: "sites", key: ["site_id"],
 *   columns: [{ name: "site_id", type: "text", required: true }],
 * }, "config/upload_types/sites.ts");
 * if (type.writeMode !== "upsert" || type.columns[0].label !== "Site id") throw new Error();
 * ```
 *
 * @module
 */
import { z } from "zod";
import { CellFailure, compileCellRule } from "./cell_rules.ts";
import { canonicalDecimal, compareDecimal } from "./decimal.ts";
import {
  COLUMN_TYPES,
  type ColumnType,
  type Normalize,
  type OnInvalid,
  type WriteMode,
} from "./define_upload_type.ts";
import { headerKey } from "./header_key.ts";

export { headerKey };
import { compareIsoDateTime, parseIsoDate, parseIsoDateTime } from "./iso_dates.ts";

export { COLUMN_TYPES };
export type { ColumnInput, ColumnType, Normalize, UploadTypeInput } from "./define_upload_type.ts";

/** A column with every default filled in, frozen. */
export interface ResolvedColumn {
  readonly name: string;
  readonly label: string;
  readonly description?: string;
  readonly type: ColumnType;
  readonly required: boolean;
  readonly default?: string | number | boolean;
  readonly min?: number | string;
  readonly max?: number | string;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly values?: readonly string[];
  readonly aliases: readonly string[];
  readonly normalize: readonly Normalize[];
  readonly example?: string | number | boolean;
  /** The upload type whose key this column holds (checked when the types are registered). */
  readonly references?: string;
}

/**
 * A column that holds another upload type's key, resolved against that type when the types are
 * registered ({@linkcode UploadTypeRegistry}).
 */
export interface ResolvedReference {
  /** The column of this type that holds the reference. */
  readonly column: string;
  /** The referenced upload type's name. */
  readonly type: string;
  /** The referenced type's label, for messages. */
  readonly label: string;
  /** The referenced type's table… */
  readonly table: string;
  /** …and its key column. */
  readonly key: string;
}

/** An upload type with every default filled in, frozen. */
export interface ResolvedUploadType {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly table: string;
  readonly columns: readonly ResolvedColumn[];
  readonly key: readonly string[];
  readonly writeMode: WriteMode;
  readonly onInvalid: OnInvalid;
  readonly maxInvalidRows?: number;
  readonly maxInvalidPercent?: number;
  readonly maxFileBytes: number;
  readonly maxRows: number;
  /** The config file it came from, for messages. */
  readonly source: string;
  /** Columns that hold other types' keys; filled in when the types are registered. */
  readonly references?: readonly ResolvedReference[];
}

/** A config file that does not describe a valid upload type; the message names file and field. */
export class UploadTypeConfigError extends TypeError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UploadTypeConfigError";
  }
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const SLUG = /^[a-z][a-z0-9_]*$/;
// Intake's own tables and PostgreSQL's catalogs must never be an import target.
const RESERVED_TABLE = /^(ingest_|pg_|kysely_)/;
const MIB = 1024 * 1024;

const identifier = z.string().max(63, "must be at most 63 characters").regex(
  IDENTIFIER,
  "must be a lower-case SQL identifier (a-z, 0-9 and _, not starting with a digit)",
);
const text = z.string().min(1, "must not be empty");
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const normalizeStep = z.enum(["trim", "upper", "lower"]);

const ColumnSchema = z.strictObject({
  // Rows are plain objects keyed by column name: a `__proto__` key would silently vanish.
  name: identifier.refine((n) => n !== "__proto__", 'must not be "__proto__"'),
  label: text.optional(),
  description: z.string().optional(),
  type: z.enum(COLUMN_TYPES),
  required: z.boolean().default(false),
  default: scalar.optional(),
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  maxLength: z.number().int().positive().optional(),
  pattern: z.string().refine(compiles, "must be a valid regular expression").optional(),
  values: z.array(text).optional(),
  aliases: z.array(text).default([]),
  normalize: z.union([normalizeStep, z.array(normalizeStep)]).optional(),
  example: scalar.optional(),
  references: z.string().regex(SLUG, "must be the name of an upload type").optional(),
});

const UploadTypeSchema = z.strictObject({
  name: z.string().regex(SLUG, "must be a slug (a-z, 0-9 and _, starting with a letter)"),
  label: text,
  description: z.string().default(""),
  table: identifier.refine(
    (t) => !RESERVED_TABLE.test(t),
    "is reserved (ingest_, pg_ and kysely_ tables belong to Intake and PostgreSQL)",
  ),
  columns: z.array(ColumnSchema).min(1, "an upload type needs at least one column"),
  key: z.array(z.string()).min(1, "an upload type needs at least one key column"),
  writeMode: z.enum(["insert", "upsert", "replace"]).default("upsert"),
  onInvalid: z.enum(["reject", "skip"]).default("reject"),
  maxInvalidRows: z.number().int().nonnegative().optional(),
  maxInvalidPercent: z.number().min(0).max(100).optional(),
  maxFileBytes: z.number().int().positive().default(100 * MIB),
  maxRows: z.number().int().positive().default(5_000_000),
}).superRefine(checkCrossFields);

type ParsedType = z.output<typeof UploadTypeSchema>;
type ParsedColumn = z.output<typeof ColumnSchema>;
type Issue = (message: string, path: (string | number)[]) => void;

/**
 * Validates `input` and returns the resolved, frozen upload type.
 *
 * @param input A config file's default export.
 * @param source The file, named in error messages.
 * @returns The upload type with every default filled in.
 * @throws {UploadTypeConfigError} Naming `source` and each bad field, e.g.
 * `Invalid upload type in config/upload_types/x.ts: columns[3].values: enum columns need at least one value`.
 */
export function resolveUploadType(input: unknown, source: string): ResolvedUploadType {
  const result = UploadTypeSchema.safeParse(input, { error: configErrorMap });
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new UploadTypeConfigError(`Invalid upload type in ${source}: ${lines.join("; ")}`);
  }
  const t = result.data;
  return Object.freeze({
    ...t,
    columns: Object.freeze(t.columns.map(resolveColumn)),
    key: Object.freeze([...t.key]),
    source,
  });
}

function resolveColumn(c: ParsedColumn): ResolvedColumn {
  const normalize = c.normalize === undefined
    ? ["trim" as const]
    : Array.isArray(c.normalize)
    ? c.normalize
    : [c.normalize];
  return Object.freeze({
    ...c,
    label: c.label ?? humanize(c.name),
    aliases: Object.freeze([...c.aliases]),
    values: c.values && Object.freeze([...c.values]),
    normalize: Object.freeze([...normalize]),
  });
}

function checkCrossFields(t: ParsedType, ctx: z.RefinementCtx): void {
  const issue: Issue = (message, path) => ctx.addIssue({ code: "custom", message, path });
  const columns = new Map<string, ParsedColumn>();
  const headers = new Map<string, string>();
  t.columns.forEach((c, i) => {
    if (columns.has(c.name)) issue(`duplicate column name "${c.name}"`, ["columns", i, "name"]);
    columns.set(c.name, c);
    const texts: [string, (string | number)[]][] = [
      [c.name, ["name"]],
      [c.label ?? c.name, ["label"]],
      ...c.aliases.map((a, j): [string, (string | number)[]] => [a, ["aliases", j]]),
    ];
    for (const [text, path] of texts) {
      const key = headerKey(text);
      const owner = headers.get(key);
      if (key === "") {
        issue(`"${text}" is blank once case, spaces, _ and - are ignored`, ["columns", i, ...path]);
      } else if (owner !== undefined && owner !== c.name) {
        issue(`header "${text}" would also match column "${owner}"`, ["columns", i, ...path]);
      }
      headers.set(key, c.name);
    }
    checkColumn(c, (message, path) => issue(message, ["columns", i, ...path]));
  });
  t.key.forEach((k, i) => {
    const column = columns.get(k);
    if (!column) issue(`"${k}" is not a column`, ["key", i]);
    else if (!column.required) issue(`key column "${k}" must be required`, ["key", i]);
    if (t.key.indexOf(k) !== i) issue(`"${k}" is listed twice`, ["key", i]);
  });
  for (const field of ["maxInvalidRows", "maxInvalidPercent"] as const) {
    if (t[field] !== undefined && t.onInvalid !== "skip") {
      issue(`only applies when onInvalid is "skip"`, [field]);
    }
  }
}

function checkColumn(c: ParsedColumn, issue: Issue): void {
  const textual = c.type === "text" || c.type === "email";
  if (c.type === "enum") {
    if (!c.values?.length) issue("enum columns need at least one value", ["values"]);
    const seen = new Set<string>();
    c.values?.forEach((v, j) => {
      if (seen.has(v.toLowerCase())) issue(`"${v}" is listed twice (ignoring case)`, ["values", j]);
      seen.add(v.toLowerCase());
    });
  } else if (c.values) {
    issue("only enum columns take values", ["values"]);
  }
  if (!textual && c.maxLength !== undefined) {
    issue("only text and email columns take maxLength", ["maxLength"]);
  }
  if (!textual && c.pattern !== undefined) {
    issue("only text and email columns take a pattern", ["pattern"]);
  }
  const rangeOk = checkRange(c, issue);
  if (!rangeOk || (c.pattern !== undefined && !compiles(c.pattern))) return;
  if (c.type === "enum" && !c.values?.length) return;
  // Defaults and examples go through the column's own rule, so they can never be invalid data.
  const rule = compileCellRule(resolveColumn({ ...c, default: undefined }));
  for (const field of ["default", "example"] as const) {
    const value = c[field];
    if (value === undefined) continue;
    const result = rule(String(value));
    if (result instanceof CellFailure) {
      issue(`${JSON.stringify(value)} is not valid for this column: ${lower(result.message)}`, [
        field,
      ]);
    } else if (result === null) {
      issue("must not be empty", [field]);
    }
  }
}

/** Checks min/max against the column type; returns false when they are unusable. */
function checkRange(c: ParsedColumn, issue: Issue): boolean {
  if (c.min === undefined && c.max === undefined) return true;
  let compare: (a: string, b: string) => number;
  let parse: (value: number | string) => string | null;
  let what: string;
  if (c.type === "integer" || c.type === "number") {
    what = "a number";
    parse = (v) => typeof v === "number" && Number.isFinite(v) ? canonicalDecimal(String(v)) : null;
    compare = compareDecimal;
  } else if (c.type === "date") {
    what = 'a date string "YYYY-MM-DD"';
    parse = (v) => typeof v === "string" ? parseIsoDate(v) : null;
    compare = (a, b) => a < b ? -1 : a > b ? 1 : 0;
  } else if (c.type === "datetime") {
    what = 'an ISO 8601 date-time string with a time zone, e.g. "2024-01-31T12:00:00Z"';
    parse = (v) => typeof v === "string" ? parseIsoDateTime(v) : null;
    compare = compareIsoDateTime;
  } else {
    const field = c.min !== undefined ? "min" : "max";
    issue("only integer, number, date and datetime columns take min and max", [field]);
    return false;
  }
  const min = c.min === undefined ? undefined : parse(c.min);
  const max = c.max === undefined ? undefined : parse(c.max);
  if (min === null) issue(`must be ${what} for a ${c.type} column`, ["min"]);
  if (max === null) issue(`must be ${what} for a ${c.type} column`, ["max"]);
  if (min === null || max === null) return false;
  if (min !== undefined && max !== undefined && compare(min, max) > 0) {
    issue(`min (${c.min}) is greater than max (${c.max})`, ["min"]);
    return false;
  }
  return true;
}

// Zod's default messages are written for end users of forms; config authors read a path, so
// the message only says what the field must be.
function configErrorMap(iss: z.core.$ZodRawIssue): string | undefined {
  const i = iss as z.core.$ZodRawIssue & Record<string, unknown>;
  switch (iss.code) {
    case "invalid_type":
      return i.input === undefined ? "is required" : `must be ${article(String(i.expected))}`;
    case "unrecognized_keys":
      return `unknown field ${(i.keys as string[]).map((k) => `"${k}"`).join(", ")}`;
    case "invalid_value":
      return `must be one of ${(i.values as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return i.origin === "number"
        ? `must be ${i.inclusive ? "at least" : "greater than"} ${i.minimum}`
        : undefined;
    case "too_big":
      return i.origin === "number" ? `must be at most ${i.maximum}` : undefined;
    case "invalid_union":
      return "has the wrong type";
    default:
      return undefined;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    text += typeof part === "number" ? `[${part}]` : `${text ? "." : ""}${String(part)}`;
  }
  return text || "(root)";
}

function humanize(name: string): string {
  const words = name.replace(/_+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function lower(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
