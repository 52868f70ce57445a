/**
 * One table of result-value parsers shared by both drivers, so a row reads the same whether it
 * came from PGlite or from PostgreSQL through postgres.js. Left alone, the two disagree: PGlite
 * returns int8 as a number (or a bigint past 2^53) where postgres.js returns a string, both turn
 * `date` into a JS `Date` at local midnight (so it shifts with the time zone), and postgres.js
 * returns bytea as a Node `Buffer`.
 *
 * What a column reads as:
 *
 * | PostgreSQL type                      | JS value                                  |
 * | ------------------------------------ | ----------------------------------------- |
 * | int2, int4, oid, float4, float8      | `number`                                  |
 * | int8, numeric                        | `string` (exact; `Number()` it if safe)   |
 * | bool                                 | `boolean`                                 |
 * | date                                 | `"YYYY-MM-DD"` string (never shifts)      |
 * | timestamptz                          | `Date`                                    |
 * | timestamp (without time zone)        | `Date`, read as UTC                       |
 * | json, jsonb                          | parsed value                              |
 * | bytea                                | `Uint8Array`                              |
 * | text, uuid, time, interval, others   | `string` as PostgreSQL prints it          |
 *
 * Parameters are written the drivers' usual way, except json/jsonb, where a string is sent as
 * it is (it is JSON text already) and anything else goes through `JSON.stringify`.
 *
 * Arrays of the built-in types (`ARRAY_TYPES`) use the same element parsers: PGlite builds them
 * itself; for postgres.js (whose own array parser reads an element `NULL` as the string "NULL")
 * they are `parseArrayLiteral()` and `serializeArray()`.
 *
 * @module
 */

/** Parses one value from PostgreSQL's text format. */
export type ValueParser = (text: string) => unknown;

/** Turns a parameter into PostgreSQL's text format. */
export type ValueSerializer = (value: unknown) => string;

/** A named group of type OIDs read with one parser (and, where drivers differ, written with one). */
export interface ValueType {
  readonly name: string;
  readonly oids: readonly number[];
  readonly parse: ValueParser;
  readonly serialize?: ValueSerializer;
}

const identity: ValueParser = (text) => text;

// "2024-01-02 03:04:05.123456+05:30"; the offset is absent for `timestamp without time zone`.
const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?$/;

/**
 * Parses `timestamp` / `timestamptz` text. Built by hand because `new Date(text)` (what both
 * drivers do by default) reads years below 100 as 19xx and a missing offset as local time.
 * `infinity` and BC dates fall back to `new Date(text)`, which makes them invalid Dates.
 */
function parseTimestamp(text: string): Date {
  const m = TIMESTAMP.exec(text);
  if (m === null) return new Date(text);
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const millis = m[7] === undefined ? 0 : Number(`${m[7]}00`.slice(0, 3));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), millis);
  if (m[8] !== undefined) {
    const offsetSeconds = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    date.setTime(date.getTime() - (m[8] === "-" ? -offsetSeconds : offsetSeconds) * 1000);
  }
  return date;
}

function parseBytea(text: string): Uint8Array {
  // bytea_output is "hex" by default on both engines: "\x0102ff".
  const hex = text.slice(2);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Every type whose parsing we pin; anything else stays the driver's default (text). */
export const VALUE_TYPES: readonly ValueType[] = Object.freeze([
  { name: "intake_number", oids: [21, 23, 26, 700, 701], parse: (text) => Number(text) },
  { name: "intake_exact", oids: [20, 1700], parse: identity },
  { name: "intake_bool", oids: [16], parse: (text) => text === "t" },
  { name: "intake_date", oids: [1082], parse: identity },
  { name: "intake_timestamp", oids: [1114, 1184], parse: parseTimestamp },
  {
    name: "intake_json",
    oids: [114, 3802],
    parse: (text) => JSON.parse(text),
    // A string is taken as JSON text already (PGlite's and node-postgres' rule; core writes
    // `JSON.stringify(x)`); postgres.js would otherwise encode it again as a JSON string scalar.
    serialize: (value) => typeof value === "string" ? value : JSON.stringify(value),
  },
  { name: "intake_bytea", oids: [17], parse: parseBytea },
]);

/** The parsers keyed by type OID (the shape PGlite's `parsers` option takes). */
export function parsersByOid(): Record<number, ValueParser> {
  const parsers: Record<number, ValueParser> = {};
  for (const type of VALUE_TYPES) for (const oid of type.oids) parsers[oid] = type.parse;
  return parsers;
}

/** The pinned serializers keyed by type OID (the shape PGlite's `serializers` option takes). */
export function serializersByOid(): Record<number, ValueSerializer> {
  const serializers: Record<number, ValueSerializer> = {};
  for (const type of VALUE_TYPES) {
    if (type.serialize) { for (const oid of type.oids) serializers[oid] = type.serialize; }
  }
  return serializers;
}

/**
 * Parses a PostgreSQL array literal such as `{1,NULL,"a \\"b\\""}` or `{{1,2},{3,4}}`, turning each
 * element with `parseElement`; an unquoted `NULL` element reads as `null`, a quoted one as text.
 *
 * @example
 * ```ts
 * import { parseArrayLiteral } from "./value_types.ts";
 * const parsed = parseArrayLiteral('{1,NULL,"NULL"}', (text) => text);
 * if (JSON.stringify(parsed) !== '["1",null,"NULL"]') throw new Error("unexpected");
 * ```
 */
export function parseArrayLiteral(text: string, parseElement: ValueParser): unknown[] {
  // Arrays with non-default bounds come as "[0:1]={a,b}"; the bounds are dropped.
  let i = text.startsWith("[") ? text.indexOf("=") + 1 : 0;

  function parseLevel(): unknown[] {
    const items: unknown[] = [];
    i++; // the opening "{"
    while (i < text.length) {
      const char = text[i];
      if (char === "}") {
        i++;
        return items;
      }
      if (char === ",") {
        i++;
      } else if (char === "{") {
        items.push(parseLevel());
      } else if (char === '"') {
        let value = "";
        for (i++; i < text.length && text[i] !== '"'; i++) {
          value += text[i] === "\\" ? text[++i] : text[i];
        }
        i++; // the closing quote
        items.push(parseElement(value));
      } else {
        let end = i;
        while (end < text.length && text[end] !== "," && text[end] !== "}") end++;
        const raw = text.slice(i, end);
        items.push(raw.toUpperCase() === "NULL" ? null : parseElement(raw));
        i = end;
      }
    }
    throw new SyntaxError(`Cannot parse array literal "${text}": missing closing brace`);
  }

  return parseLevel();
}

/** Built-in array types as `[array OID, element OID]`; these OIDs are fixed in PostgreSQL. */
export const ARRAY_TYPES: ReadonlyArray<readonly [number, number]> = Object.freeze(
  [
    [1000, 16], // bool
    [1001, 17], // bytea
    [1002, 18], // char
    [1003, 19], // name
    [1005, 21], // int2
    [1007, 23], // int4
    [1009, 25], // text
    [1014, 1042], // bpchar
    [1015, 1043], // varchar
    [1016, 20], // int8
    [1021, 700], // float4
    [1022, 701], // float8
    [1028, 26], // oid
    [1115, 1114], // timestamp
    [1182, 1082], // date
    [1183, 1083], // time
    [1185, 1184], // timestamptz
    [1187, 1186], // interval
    [1231, 1700], // numeric
    [199, 114], // json
    [2951, 2950], // uuid
    [3807, 3802], // jsonb
  ] as const,
);

/**
 * Writes a JS array as a PostgreSQL array literal, quoting every element; a string is taken as
 * a literal already.
 *
 * @example
 * ```ts
 * import { serializeArray } from "./value_types.ts";
 * if (serializeArray([1, null, 'a"b']) !== '{"1",NULL,"a\\"b"}') throw new Error("unexpected");
 * ```
 */
export function serializeArray(value: unknown): string {
  if (!Array.isArray(value)) return String(value);
  return `{${value.map(serializeArrayElement).join(",")}}`;
}

function serializeArrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Array.isArray(value)) return serializeArray(value);
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (value instanceof Uint8Array) {
    text = "\\x" + Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("");
  } else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  return `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
