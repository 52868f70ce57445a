/**
 * `defineUploadType()`: what a config file in `config/upload_types/` default-exports, and the
 * shape it is written in. The helper only gives type checking and editor completion; the server
 * validates every file with {@linkcode resolveUploadType} when it starts, so a bad config stops
 * start with a message naming the file and the field.
 *
 * This module is browser compatible.
 *
 * @example A config file
 * ```ts
 * import { defineUploadType } from "./define_upload_type.ts";
 * export default defineUploadType({
 *   name: "sites",
 *   label: "Sites",
 *   table: "sites",
 *   key: ["site_id"],
 *   columns: [
 *     { name: "site_id", type: "text", required: true, aliases: ["Site"] },
 *     { name: "staff", type: "integer", min: 0 },
 *   ],
 * });
 * ```
 *
 * @module
 */

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

/** A normalization applied to every cell of a column before it is checked. */
export type Normalize = "trim" | "upper" | "lower";

/** How a commit writes the file into the target table. */
export type WriteMode = "insert" | "upsert" | "replace";

/** What happens to a file with invalid rows. */
export type OnInvalid = "reject" | "skip";

/** A column as written in a config file. */
export interface ColumnInput {
  /** Target column: a lower-case SQL identifier (`^[a-z_][a-z0-9_]*$`, at most 63 characters). */
  name: string;
  /** Shown in the UI and matched as a header. @default {name with `_` as spaces, capitalized} */
  label?: string;
  /** A sentence shown in the UI and the upload template. */
  description?: string;
  /** How cells are parsed and which PostgreSQL type the target column has. */
  type: ColumnType;
  /** Whether the header must be present and every cell filled. @default {false} */
  required?: boolean;
  /** Used for an empty cell; must itself be a valid value of the column. */
  default?: string | number | boolean;
  /** Smallest value: a number, or an ISO string for `date` / `datetime` columns. */
  min?: number | string;
  /** Largest value: a number, or an ISO string for `date` / `datetime` columns. */
  max?: number | string;
  /** Longest text, in characters (`text` and `email` columns). */
  maxLength?: number;
  /** A regular expression (source text) the whole cell must match (`text` and `email`). */
  pattern?: string;
  /** The allowed values of an `enum` column, as stored; input matches them ignoring case. */
  values?: string[];
  /** Other header texts that mean this column (matching ignores case, spaces, `_`, `-`). */
  aliases?: string[];
  /** Normalizations applied in order before the checks. @default {"trim"} */
  normalize?: Normalize | Normalize[];
  /** A valid value shown in the upload template. */
  example?: string | number | boolean;
  /**
   * The name of another upload type whose key this column holds, e.g. `"facilities"`: a row
   * whose value is not a key of that type's table is invalid (`unknown_reference`). The other
   * type must have a single-column key of a compatible type. An empty cell references nothing.
   */
  references?: string;
  /**
   * Cells that mean "empty" once trimmed, e.g. `["NA", "N/A", "-"]` (then `required` and
   * `default` apply); replaces the type's list. An empty cell is always empty. @default {[""]}
   */
  nullValues?: string[];
  /** Whether cells are trimmed before the checks (unless `normalize` is given). @default {true} */
  trim?: boolean;
  /** Turns every cell to upper or lower case before the checks (unless `normalize` is given). */
  case?: "upper" | "lower";
  /**
   * `date` and `datetime` columns: the date-fns `parse` patterns read besides ISO 8601, e.g.
   * `["MMM d yyyy", "dd/MM/yyyy"]`; a value two patterns read differently is refused.
   */
  formats?: string[];
  /**
   * `datetime` columns: the time zone (IANA name, e.g. `"Europe/Berlin"`, or `"UTC"`) of values
   * written without an offset; without it an offset is required.
   */
  timezone?: string;
  /** `integer` and `number` columns: `","` for a decimal comma. @default {the type's, else "."} */
  decimalSeparator?: "." | ",";
  /** `integer` and `number` columns: the thousands separator the file uses (`,` `.` space `'`). */
  thousandsSeparator?: "," | "." | " " | "'";
  /** `number` columns: `12.5%` is read as 0.125 (a value without `%` as written). */
  percent?: boolean;
  /** `integer` and `number` columns: currency symbols or codes tolerated before or after a value. */
  currency?: string[];
  /** `boolean` columns: the words for true, any case. @default {["true", "yes", "y", "1"]} */
  trueValues?: string[];
  /** `boolean` columns: the words for false, any case. @default {["false", "no", "n", "0"]} */
  falseValues?: string[];
  /** `text` and `enum` columns: replacements applied (matching ignoring case) before the checks. */
  valueMap?: Record<string, string>;
}

/** An upload type as written in a config file. */
export interface UploadTypeInput {
  /** Slug used in URLs and the API (`^[a-z][a-z0-9_]*$`). */
  name: string;
  /** Shown in the UI. */
  label: string;
  /** What the data is, shown in the UI. @default {""} */
  description?: string;
  /** Target table: a lower-case SQL identifier, at most 63 characters. */
  table: string;
  /** The columns a file may have, in template order. */
  columns: ColumnInput[];
  /** Columns that identify a row; each must be a required column. */
  key: string[];
  /** `insert` adds new keys only, `upsert` also updates, `replace` makes the file the whole table. @default {"upsert"} */
  writeMode?: WriteMode;
  /** `reject` refuses a file with any invalid row, `skip` imports the valid rows. @default {"reject"} */
  onInvalid?: OnInvalid;
  /** With `skip`: the most invalid rows a file may have and still be imported. */
  maxInvalidRows?: number;
  /** With `skip`: the largest share of invalid rows (0–100) a file may have. */
  maxInvalidPercent?: number;
  /** Largest accepted upload in bytes. @default {104857600} (100 MiB) */
  maxFileBytes?: number;
  /** Most data rows a file may have. @default {5000000} */
  maxRows?: number;
  /** Cells that mean "empty" in every column that declares none of its own. @default {[""]} */
  nullValues?: string[];
  /** The decimal separator of every `integer` and `number` column that declares none. */
  decimalSeparator?: "." | ",";
  /** The thousands separator of every `integer` and `number` column that declares none. */
  thousandsSeparator?: "," | "." | " " | "'";
}

/**
 * Declares an upload type: an identity function that exists for its types.
 *
 * @param config The upload type, as written.
 * @returns `config`, unchanged.
 */
export function defineUploadType(config: UploadTypeInput): UploadTypeInput {
  return config;
}
