/**
 * The one place where query parameters are parsed and typed, for pages and the API alike. A
 * route declares the parameters it reads (`export const query = { … } satisfies QuerySpec`) and
 * reads them with {@linkcode readQuery}; a value that is not one of the declared kind is a
 * `bad_request` (400: the API's JSON error, a page's readable 400 page), never a value passed on
 * to the database to fail there. Empty values count as absent; a parameter given twice is
 * refused (which one was meant is a guess). Parameters a route does not declare are ignored.
 *
 * @example A page's paging cursor
 * ```ts
 * import { integer, readQuery } from "./query_params.ts";
 * const query = { cursor: integer(0, 100) };
 * const { cursor } = readQuery(new URL("http://x/runs?cursor=7"), query);
 * if (cursor !== 7) throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { IngestError } from "../core/errors.ts";
import { isUuid } from "../store/postgres/runs.ts";

/** One query parameter: what it takes, and how its text becomes a value. */
export interface QueryParam<T> {
  /** What the parameter takes, for the error message ("an integer from 1 to 500"). */
  readonly expects: string;
  /** What the parameter takes as a JSON Schema, for the OpenAPI document (`server/openapi.ts`). */
  readonly schema: Readonly<Record<string, unknown>>;
  /** The value, or `undefined` when the text is not one. */
  parse(text: string): T | undefined;
}

/** The query parameters a route reads, by name. */
export type QuerySpec = Readonly<Record<string, QueryParam<unknown>>>;

/** The parsed values of a {@linkcode QuerySpec}: `undefined` where a parameter is absent. */
export type QueryValues<S extends QuerySpec> = {
  [K in keyof S]: S[K] extends QueryParam<infer T> ? T | undefined : never;
};

/** Longest value shown back in an error message. */
const SHOWN_CHARS = 100;
// Control characters (NUL included) in a value are refused by every text parameter.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Parses `spec`'s parameters out of `url`.
 *
 * @throws {IngestError} `bad_request` naming the parameter and what it takes
 */
export function readQuery<S extends QuerySpec>(url: URL, spec: S): QueryValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(spec)) {
    const all = url.searchParams.getAll(name);
    if (all.length > 1) {
      throw new IngestError("bad_request", `Invalid ${name}: given ${all.length} times`, {
        parameter: name,
      });
    }
    const text = all[0];
    if (text === undefined || text === "") continue;
    const value = param.parse(text);
    if (value === undefined) {
      const shown = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
      throw new IngestError(
        "bad_request",
        `Invalid ${name} ${JSON.stringify(shown)}: expected ${param.expects}`,
        { parameter: name, value: shown, expected: param.expects },
      );
    }
    values[name] = value;
  }
  return values as QueryValues<S>;
}

/** An integer from `min` to `max`, written in plain decimal digits. */
export function integer(min: number, max: number): QueryParam<number> {
  return {
    expects: `an integer from ${min} to ${max}`,
    schema: { type: "integer", minimum: min, maximum: max },
    parse(text) {
      if (!/^-?\d{1,16}$/.test(text)) return undefined;
      const n = Number(text);
      return n >= min && n <= max ? n : undefined;
    },
  };
}

/** One of `choices`, exactly. */
export function choice<T extends string>(choices: readonly T[]): QueryParam<T> {
  return {
    expects: `one of ${choices.join(", ")}`,
    schema: { type: "string", enum: [...choices] },
    parse: (text) => (choices as readonly string[]).includes(text) ? text as T : undefined,
  };
}

/** Text of at most `maxLength` characters, without control characters. */
export function text(maxLength: number): QueryParam<string> {
  return {
    expects: `text of at most ${maxLength} characters`,
    schema: { type: "string", maxLength, pattern: "^[^\\u0000-\\u001f\\u007f]*$" },
    parse: (value) => value.length <= maxLength && !CONTROL.test(value) ? value : undefined,
  };
}

/** A UUID (run ids, and the runs listing's cursor). */
export const uuid: QueryParam<string> = {
  expects: "a run id (a UUID)",
  schema: { type: "string", format: "uuid" },
  parse: (value) => isUuid(value) ? value.toLowerCase() : undefined,
};

/** `1` (true) or `0` (false). */
export const flag: QueryParam<boolean> = {
  expects: "1 or 0",
  schema: { type: "string", enum: ["1", "0"] },
  parse: (value) => value === "1" ? true : value === "0" ? false : undefined,
};

/**
 * The paging cursor of a run's rows: a row number (a PostgreSQL `integer`; negative for rows a
 * replace would delete), or a sorted page's `k…` (the store checks what it holds).
 */
export const rowCursor: QueryParam<string> = {
  expects: "a cursor from a previous page's nextCursor",
  schema: { type: "string", pattern: "^(-?[0-9]{1,10}|k[A-Za-z0-9_-]{1,1400})$" },
  parse: (value) =>
    integer(-(2 ** 31), 2 ** 31 - 1).parse(value) !== undefined ||
      /^k[A-Za-z0-9_-]{1,1400}$/.test(value)
      ? value
      : undefined,
};

/** A file row number (`fromRow`): 1 to a PostgreSQL `integer`'s largest. */
export const rowNumber: QueryParam<number> = integer(1, 2 ** 31 - 1);

/** `?sort=`: a column name, descending when it starts with `-` (the route checks the name). */
export const sortOrder: QueryParam<{ column: string; descending: boolean }> = {
  expects: "a column name, or - and a column name",
  schema: { type: "string", minLength: 1, maxLength: 201 },
  parse(value) {
    const descending = value.startsWith("-");
    const column = descending ? value.slice(1) : value;
    if (column === "" || column.length > 200 || CONTROL.test(column)) return undefined;
    return { column, descending };
  },
};

/** The paging cursor of the run history: the last run's id. */
export const runCursor: QueryParam<string> = {
  expects: "a run id from a previous page's nextCursor",
  schema: uuid.schema,
  parse: uuid.parse,
};

/** `?limit=` of a listing: 1 to `max`. */
export function limit(max: number): QueryParam<number> {
  return integer(1, max);
}
