/**
 * The schema of an upload type's configuration, validated with zod at start, and its resolved
 * (fully defaulted, frozen) form that the rest of Intake reads.
 *
 * This module is browser compatible.
 *
 * @module
 */
import { z } from "zod";

/** Column types an upload type may declare. */
export const COLUMN_TYPES = [
  "text",
  "integer",
  "number",
  "boolean",
  "date",
  "datetime",
  "enum",
  "email",
] as const;

/** A column's type. */
export type ColumnType = typeof COLUMN_TYPES[number];

/** Normalizations applied to a cell before validation. */
export type Normalize = "trim" | "upper" | "lower";

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const NormalizeSchema = z.enum(["trim", "upper", "lower"]);
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const ColumnSchema = z.object({
  name: z.string().max(63).regex(IDENTIFIER, "must be a lower-case SQL identifier (a-z, 0-9, _)"),
  label: z.string().min(1).optional(),
  description: z.string().optional(),
  type: z.enum(COLUMN_TYPES),
  required: z.boolean().default(false),
  default: Scalar.optional(),
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  maxLength: z.number().int().positive().optional(),
  pattern: z.string().refine(compiles, "must be a valid regular expression").optional(),
  values: z.array(z.string().min(1)).optional(),
  aliases: z.array(z.string().min(1)).default([]),
  normalize: z.union([NormalizeSchema, z.array(NormalizeSchema)]).optional(),
  example: Scalar.optional(),
}).strict();

const UploadTypeSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be a slug (a-z, 0-9, _)"),
  label: z.string().min(1),
  description: z.string().default(""),
  table: z.string().max(63).regex(IDENTIFIER, "must be a lower-case SQL identifier"),
  columns: z.array(ColumnSchema).min(1, "an upload type needs at least one column"),
  key: z.array(z.string()).min(1, "an upload type needs at least one key column"),
  writeMode: z.enum(["insert", "upsert", "replace"]).default("upsert"),
  onInvalid: z.enum(["reject", "skip"]).default("reject"),
  maxInvalidRows: z.number().int().nonnegative().optional(),
  maxInvalidPercent: z.number().min(0).max(100).optional(),
  maxFileBytes: z.number().int().positive().default(100 * 1024 * 1024),
  maxRows: z.number().int().positive().default(5_000_000),
}).strict().superRefine(checkCrossFields);

/** An upload type as written in a config file. */
export type UploadTypeInput = z.input<typeof UploadTypeSchema>;
/** A column as written in a config file. */
export type ColumnInput = z.input<typeof ColumnSchema>;

/** A column with every default filled in. */
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
}

/** An upload type with every default filled in, frozen. */
export interface ResolvedUploadType {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly table: string;
  readonly columns: readonly ResolvedColumn[];
  readonly key: readonly string[];
  readonly writeMode: "insert" | "upsert" | "replace";
  readonly onInvalid: "reject" | "skip";
  readonly maxInvalidRows?: number;
  readonly maxInvalidPercent?: number;
  readonly maxFileBytes: number;
  readonly maxRows: number;
  /** The config file it came from, for messages. */
  readonly source: string;
}

/** A config file that does not describe a valid upload type. */
export class UploadTypeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadTypeConfigError";
  }
}

/**
 * Validates `input` and returns the resolved, frozen upload type; errors name `source` and the
 * field, e.g. `Invalid upload type in config/upload_types/x.ts: columns[3].values: …`.
 */
export function resolveUploadType(input: unknown, source: string): ResolvedUploadType {
  const result = UploadTypeSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new UploadTypeConfigError(`Invalid upload type in ${source}: ${lines.join("; ")}`);
  }
  const t = result.data;
  const columns = t.columns.map((c): ResolvedColumn =>
    Object.freeze({
      ...c,
      label: c.label ?? humanize(c.name),
      aliases: Object.freeze([...c.aliases]),
      values: c.values && Object.freeze([...c.values]),
      normalize: Object.freeze<Normalize[]>(
        c.normalize === undefined
          ? ["trim"]
          : Array.isArray(c.normalize)
          ? c.normalize
          : [c.normalize],
      ),
    })
  );
  return Object.freeze({
    ...t,
    columns: Object.freeze(columns),
    key: Object.freeze([...t.key]),
    source,
  });
}

/** Header text as matching compares it: case, spaces, `_` and `-` ignored. */
export function headerKey(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}

function checkCrossFields(t: z.infer<typeof UploadTypeSchema>, ctx: z.RefinementCtx): void {
  const names = new Map<string, number>();
  const headers = new Map<string, string>();
  t.columns.forEach((c, i) => {
    const issue = (message: string, ...path: (string | number)[]) =>
      ctx.addIssue({ code: "custom", message, path: ["columns", i, ...path] });
    if (names.has(c.name)) issue(`duplicate column name "${c.name}"`, "name");
    names.set(c.name, i);
    for (const text of [c.name, c.label ?? humanize(c.name), ...c.aliases]) {
      const key = headerKey(text);
      const owner = headers.get(key);
      if (owner !== undefined && owner !== c.name) {
        issue(`header "${text}" would also match column "${owner}"`, "aliases");
      }
      headers.set(key, c.name);
    }
    if (c.type === "enum" && !c.values?.length) issue("enum columns need values", "values");
    if (c.type !== "enum" && c.values) issue("only enum columns take values", "values");
    if (c.min !== undefined && c.max !== undefined && c.min > c.max) {
      issue(`min (${c.min}) is greater than max (${c.max})`, "min");
    }
  });
  t.key.forEach((k, i) => {
    const column = t.columns[names.get(k) ?? -1];
    if (!column) {
      ctx.addIssue({ code: "custom", message: `"${k}" is not a column`, path: ["key", i] });
    } else if (!column.required) {
      ctx.addIssue({
        code: "custom",
        message: `key column "${k}" must be required`,
        path: ["key", i],
      });
    }
  });
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
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
