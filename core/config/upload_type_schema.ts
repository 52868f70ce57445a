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
import {
  CellFailure,
  compileCellRule,
  DEFAULT_FALSE,
  DEFAULT_TRUE,
  plainNumbers,
} from "./cell_rules.ts";
import { datePatternProblem, patternHasOffset } from "./date_formats.ts";
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
import { THOUSANDS_SEPARATORS } from "./number_formats.ts";
import { isTimeZone } from "./time_zones.ts";

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
  /** Cells that mean "empty" once trimmed (the column's, else the type's); `""` always is. */
  readonly nullValues: readonly string[];
  /** Date patterns (date-fns `parse`) a `date` or `datetime` column reads besides ISO 8601. */
  readonly formats?: readonly string[];
  /** The zone a `datetime` column reads values without an offset in (IANA name or `UTC`). */
  readonly timezone?: string;
  /** `integer` and `number` columns: the decimal separator (the column's, else the type's). */
  readonly decimalSeparator?: "." | ",";
  /** `integer` and `number` columns: the thousands separator (the column's, else the type's). */
  readonly thousandsSeparator?: typeof THOUSANDS_SEPARATORS[number];
  /** A `number` column reads `12.5%` as 0.125. */
  readonly percent?: boolean;
  /** Currency symbols or codes an `integer` or `number` cell may carry before or after it. */
  readonly currency?: readonly string[];
  /** A `boolean` column's words for true (matched ignoring case). */
  readonly trueValues?: readonly string[];
  /** A `boolean` column's words for false (matched ignoring case). */
  readonly falseValues?: readonly string[];
  /** A `text` or `enum` column's replacements (matched ignoring case), applied before its checks. */
  readonly valueMap?: Readonly<Record<string, string>>;
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
  /** Empty markers of columns that declare none. */
  readonly nullValues: readonly string[];
  /** Decimal separator of `integer` and `number` columns that declare none. */
  readonly decimalSeparator?: "." | ",";
  /** Thousands separator of `integer` and `number` columns that declare none. */
  readonly thousandsSeparator?: typeof THOUSANDS_SEPARATORS[number];
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
const nullValues = z.array(z.string());
const decimalSeparator = z.enum([".", ","]);
const thousandsSeparator = z.enum(THOUSANDS_SEPARATORS);

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
  nullValues: nullValues.optional(),
  trim: z.boolean().optional(),
  case: z.enum(["upper", "lower"]).optional(),
  formats: z.array(text).optional(),
  timezone: text.optional(),
  decimalSeparator: decimalSeparator.optional(),
  thousandsSeparator: thousandsSeparator.optional(),
  percent: z.boolean().optional(),
  currency: z.array(text).optional(),
  trueValues: z.array(text).min(1, "must list at least one value").optional(),
  falseValues: z.array(text).min(1, "must list at least one value").optional(),
  valueMap: z.record(z.string(), z.string()).optional(),
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
  nullValues: nullValues.default([""]),
  decimalSeparator: decimalSeparator.optional(),
  thousandsSeparator: thousandsSeparator.optional(),
}).superRefine(checkCrossFields);

type ParsedType = z.output<typeof UploadTypeSchema>;
type ParsedColumn = z.output<typeof ColumnSchema>;
type Issue = (message: string, path: (string | number)[]) => void;
/** What a type declares for all its columns. */
type TypeDefaults = Pick<ParsedType, "nullValues" | "decimalSeparator" | "thousandsSeparator">;

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
    nullValues: Object.freeze([...t.nullValues]),
    columns: Object.freeze(t.columns.map((c) => resolveColumn(c, t))),
    key: Object.freeze([...t.key]),
    source,
  });
}

function resolveColumn(c: ParsedColumn, t: TypeDefaults): ResolvedColumn {
  const normalize = c.normalize === undefined
    ? [...(c.trim === false ? [] : ["trim" as const]), ...(c.case ? [c.case] : [])]
    : Array.isArray(c.normalize)
    ? c.normalize
    : [c.normalize];
  const numeric = c.type === "integer" || c.type === "number";
  const { trim: _trim, case: _case, ...rest } = c;
  return Object.freeze({
    ...rest,
    label: c.label ?? humanize(c.name),
    aliases: Object.freeze([...c.aliases]),
    values: c.values && Object.freeze([...c.values]),
    normalize: Object.freeze([...normalize]),
    nullValues: Object.freeze([...(c.nullValues ?? t.nullValues)]),
    decimalSeparator: numeric ? c.decimalSeparator ?? t.decimalSeparator : c.decimalSeparator,
    thousandsSeparator: numeric
      ? c.thousandsSeparator ?? t.thousandsSeparator
      : c.thousandsSeparator,
    formats: c.formats && Object.freeze([...c.formats]),
    currency: c.currency && Object.freeze([...c.currency]),
    trueValues: c.trueValues && Object.freeze([...c.trueValues]),
    falseValues: c.falseValues && Object.freeze([...c.falseValues]),
    valueMap: c.valueMap && Object.freeze({ ...c.valueMap }),
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
    checkColumn(c, t, (message, path) => issue(message, ["columns", i, ...path]));
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

function checkColumn(c: ParsedColumn, t: TypeDefaults, issue: Issue): void {
  const textual = c.type === "text" || c.type === "email";
  const formatsOk = checkValueOptions(c, t, issue);
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
  if ((c.type === "enum" && !c.values?.length) || !formatsOk) return;
  // Defaults and examples go through the column's own rule, so they can never be invalid data.
  const resolved = resolveColumn({ ...c, default: undefined }, t);
  const rule = compileCellRule(resolved);
  // A number in the config is a number, not text in the file's locale.
  const plainRule = compileCellRule(plainNumbers(resolved));
  for (const field of ["default", "example"] as const) {
    const value = c[field];
    if (value === undefined) continue;
    const result = (typeof value === "number" ? plainRule : rule)(String(value));
    if (result instanceof CellFailure) {
      issue(`${JSON.stringify(value)} is not valid for this column: ${lower(result.message)}`, [
        field,
      ]);
    } else if (result === null) {
      issue("must not be empty", [field]);
    }
  }
}

/**
 * Checks the options that say how values are written (empty markers, formats, separators,
 * words) against the column type; returns false when the column's rule cannot be compiled.
 */
function checkValueOptions(c: ParsedColumn, t: TypeDefaults, issue: Issue): boolean {
  let ok = true;
  const only = (field: keyof ParsedColumn, types: readonly string[], what: string) => {
    if (c[field] !== undefined && !types.includes(c.type)) {
      issue(`only ${what} columns take ${field}`, [field]);
      ok = false;
    }
  };
  if (c.normalize !== undefined) {
    for (const field of ["trim", "case"] as const) {
      if (c[field] !== undefined) issue(`use either normalize or ${field}, not both`, [field]);
    }
  }
  only("formats", ["date", "datetime"], "date and datetime");
  only("timezone", ["datetime"], "datetime");
  only("decimalSeparator", ["integer", "number"], "integer and number");
  only("thousandsSeparator", ["integer", "number"], "integer and number");
  only("currency", ["integer", "number"], "integer and number");
  only("percent", ["number"], "number");
  only("trueValues", ["boolean"], "boolean");
  only("falseValues", ["boolean"], "boolean");
  only("valueMap", ["text", "enum"], "text and enum");
  if (!ok) return false;
  c.formats?.forEach((pattern, j) => {
    const problem = datePatternProblem(pattern, c.type === "date" ? "date" : "datetime");
    if (problem) {
      issue(problem, ["formats", j]);
      ok = false;
    } else if (c.type === "datetime" && c.timezone === undefined && !patternHasOffset(pattern)) {
      issue(`"${pattern}" has no offset: declare the column's timezone`, ["formats", j]);
      ok = false;
    }
  });
  if (c.timezone !== undefined && !isTimeZone(c.timezone)) {
    issue(`"${c.timezone}" is not a time zone (an IANA name such as "Europe/Berlin", or "UTC")`, [
      "timezone",
    ]);
    ok = false;
  }
  if (c.type === "integer" || c.type === "number") {
    const decimal = c.decimalSeparator ?? t.decimalSeparator ?? ".";
    const thousands = c.thousandsSeparator ?? t.thousandsSeparator;
    if (decimal === thousands) {
      issue(`the thousands separator "${thousands}" is also the decimal separator`, [
        c.thousandsSeparator !== undefined ? "thousandsSeparator" : "decimalSeparator",
      ]);
      ok = false;
    }
  }
  c.currency?.forEach((symbol, j) => {
    if (/[\d.,%+\-\s']/.test(symbol)) {
      issue(`"${symbol}" must not hold digits, separators, signs, % or spaces`, ["currency", j]);
      ok = false;
    }
  });
  if (c.type === "boolean") {
    const truth = new Set((c.trueValues ?? DEFAULT_TRUE).map((v) => v.toLowerCase()));
    (c.falseValues ?? DEFAULT_FALSE).forEach((v, j) => {
      if (truth.has(v.toLowerCase())) {
        issue(`"${v}" is also a true value`, [c.falseValues ? "falseValues" : "trueValues", j]);
        ok = false;
      }
    });
  }
  if (c.type === "enum" && c.valueMap) {
    const allowed = new Set(c.values?.map((v) => v.toLowerCase()));
    for (const [from, to] of Object.entries(c.valueMap)) {
      if (!allowed.has(to.toLowerCase())) {
        issue(`maps "${from}" to "${to}", which is not one of the values`, ["valueMap", from]);
      }
    }
  }
  return ok;
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
