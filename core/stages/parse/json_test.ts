import { assert, assertEquals, assertRejects, test } from "../../../tests/assert.ts";
import { IngestError } from "../../errors.ts";
import { HEADER_SAMPLE, type JsonParseOptions, parseJsonRecords } from "./json.ts";
import { type UploadLimits, uploadLimits } from "../../limits.ts";

async function records(chunks: Iterable<string>, options?: JsonParseOptions) {
  const out = [];
  for await (const batch of parseJsonRecords(chunks, options)) out.push(...batch);
  return out;
}

/** Awaits the rejection of `fn` and checks it is a `parse_error` whose message holds `part`. */
async function parseError(fn: () => Promise<unknown>, part: string): Promise<IngestError> {
  const error = await assertRejects(fn);
  assert(error instanceof IngestError, String(error));
  assertEquals(error.type, "parse_error");
  assert(error.message.includes(part), `"${error.message}" should mention "${part}"`);
  return error;
}

/** The text cut into one-character chunks: every boundary a network could produce. */
function bytewise(text: string): string[] {
  return [...text];
}

const ARRAY = `[
  {"id": "A-1", "amount": 12.5, "active": true, "note": "say \\"hi\\" [ok] {x}"},
  {"id": "A-2", "amount": -3e2, "active": false, "tags": ["a", "b"], "meta": {"k": null}},
  {"id": "A-3", "note": null}
]`;

test("parseJsonRecords() reads an array of objects, wherever the chunks are cut", async () => {
  const expected = [
    { row: 1, line: 2, fields: ["id", "amount", "active", "note", "tags", "meta"] },
    {
      row: 2,
      line: 2,
      fields: ["A-1", "12.5", "true", 'say "hi" [ok] {x}', "", ""],
      numbers: [false, true, false, false, false, false],
    },
    {
      row: 3,
      line: 3,
      fields: ["A-2", "-300", "false", "", '["a","b"]', '{"k":null}'],
      numbers: [false, true, false, false, false, false],
    },
    { row: 4, line: 4, fields: ["A-3", "", "", "", "", ""] },
  ];
  assertEquals(await records([ARRAY]), expected);
  assertEquals(await records(bytewise(ARRAY)), expected);
  assertEquals(await records(bytewise(ARRAY), { format: "json", batchSize: 1 }), expected);
});

test("parseJsonRecords() reads NDJSON, skipping blank lines, CRLF or LF", async () => {
  const text = '{"id": 1, "name": "a"}\r\n\r\n{"id": 2}\n{"name": "c", "id": 3}';
  const expected = [
    { row: 1, line: 1, fields: ["id", "name"] },
    { row: 2, line: 1, fields: ["1", "a"], numbers: [true, false] },
    { row: 3, line: 3, fields: ["2", ""], numbers: [true, false] },
    { row: 4, line: 4, fields: ["3", "c"], numbers: [true, false] },
  ];
  assertEquals(await records([text]), expected);
  assertEquals(await records(bytewise(text)), expected);
});

test("parseJsonRecords() yields nothing for empty input or an empty array", async () => {
  assertEquals(await records([]), []);
  assertEquals(await records(["  \n "]), []);
  assertEquals(await records(["[ ]"]), []);
});

test("parseJsonRecords() fixes the header after the first objects", async () => {
  const many = Array.from({ length: HEADER_SAMPLE }, (_, i) => `{"id": ${i}}`);
  const late = [...many.slice(0, 10), '{"id": 10, "extra": 1}', ...many.slice(11)];
  assertEquals((await records([late.join("\n")]))[0].fields, ["id", "extra"]);
  const error = await parseError(
    () => records([[...many, '{"id": 0, "extra": 1}'].join("\n")]),
    `none of the first ${HEADER_SAMPLE} objects`,
  );
  assertEquals(error.details, { line: HEADER_SAMPLE + 1, key: "extra" });
});

test("parseJsonRecords() refuses what is not objects, with the line", async () => {
  const cases: Array<[string, string, number]> = [
    ['[{"a": 1},\n 2]', "must be an object", 2],
    ['[{"a": 1},\n ["x"]]', "must be an object", 2],
    ['{"a": 1}\n[1, 2]', "holds an array", 2],
    ['{"a": 1}\n"text"', "holds a string", 2],
    ['[{"a": 1},\n {"a": }]', "Invalid JSON on line 2", 2],
    ['{"a": 1}\n{"a": 1', "Invalid JSON on line 2", 2],
    ['[{"a": 1},\n {"a": 2}', "not closed", 2],
    ['[{"a": 1}] x', "after the closing ]", 1],
  ];
  for (const [text, message, line] of cases) {
    const error = await parseError(() => records(bytewise(text)), message);
    assertEquals(error.details.line, line, text);
  }
});

/** Awaits the rejection of `fn` and checks it is a `limit_exceeded` naming `limit`. */
async function limitError(fn: () => Promise<unknown>, limit: string): Promise<IngestError> {
  const error = await assertRejects(fn);
  assert(error instanceof IngestError, String(error));
  assertEquals([error.type, error.details.limit], ["limit_exceeded", limit], error.message);
  return error;
}

/** Bounds from a budget, with some of them overridden. */
function limits(overrides: Partial<UploadLimits>): UploadLimits {
  return { ...uploadLimits(), ...overrides };
}

test("parseJsonRecords() bounds one object's size in UTF-8 bytes", async () => {
  const big = `[{"a": "${"x".repeat(200)}"}]`;
  const small = limits({ maxRecordBytes: 100 });
  const error = await limitError(() => records(bytewise(big), { limits: small }), "maxRecordBytes");
  assertEquals([error.details.max, error.details.line], [100, 1]);
  await limitError(
    () => records([`{"a": 1}\n{"a": "${"x".repeat(200)}"`], { limits: small }),
    "maxRecordBytes",
  );
  // 40 × "é" is 80 bytes: 89 with the braces and the key, though 49 characters.
  const accents = `[{"a": "${"é".repeat(40)}"}]`;
  await limitError(
    () => records([accents], { limits: limits({ maxRecordBytes: 85 }) }),
    "maxRecordBytes",
  );
  assertEquals((await records([accents], { limits: limits({ maxRecordBytes: 100 }) })).length, 2);
});

test("parseJsonRecords() bounds a value and the header's union of keys", async () => {
  const value = await limitError(
    () =>
      records(['[{"a": 1, "b": "' + "x".repeat(50) + '"}]'], {
        limits: limits({ maxFieldBytes: 40 }),
      }),
    "maxFieldBytes",
  );
  assertEquals(value.details.key, "b");
  // 30 objects of 10 distinct keys each: the union passes 100 keys at the eleventh.
  const objects = Array.from(
    { length: 30 },
    (_, i) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k${i}_${k}`, k]))),
  );
  const columns = await limitError(
    () => records([objects.join("\n")], { limits: limits({ maxColumns: 100 }) }),
    "maxColumns",
  );
  assertEquals([columns.details.max, columns.details.line], [100, 11]);
});

test("parseJsonRecords() fixes the header early when the first objects are large", async () => {
  const lines = ['{"a": "' + "x".repeat(100) + '"}', '{"a": "y", "b": 1}', '{"b": 2}'];
  // The sample ends after the first object: "b" is not in the header.
  await parseError(
    () => records([lines.join("\n")], { limits: limits({ maxHeaderSampleChars: 50 }) }),
    'the key "b", which none of the first 1 objects has',
  );
  assertEquals((await records([lines.join("\n")]))[0].fields, ["a", "b"]);
});

test("parseJsonRecords() refuses a NUL in a key or a top-level value with its line", async () => {
  for (
    const [text, where] of [
      ['[{"a": 1},\n{"a": "x\\u0000y"}]', 'the value of "a"'],
      ['{"a": 1}\n{"a\\u0000": 2}', "a key"],
    ]
  ) {
    const error = await assertRejects(() => records([text]));
    assert(error instanceof IngestError);
    assertEquals([error.type, error.details.line], ["encoding_error", 2], text);
    assert(error.message.includes(where), error.message);
  }
  // Nested, a NUL stays escaped in the cell's JSON text; an escaped backslash is no NUL.
  assertEquals((await records(['[{"a": {"b": "\\u0000"}, "c": "\\\\u0000"}]']))[1].fields, [
    '{"b":"\\u0000"}',
    "\\u0000",
  ]);
});

test("parseJsonRecords() keeps the exact text of numbers a double would change", async () => {
  const text =
    '[{"big": 12345678901234567890123, "tiny": 1e-400, "long": 0.1000000000000000055511, ' +
    '"plain": 12.50, "nested": {"n": 98765432109876543210}, "s": "1234567890123456789"}]';
  for (const chunks of [[text], bytewise(text)]) {
    assertEquals((await records(chunks))[1].fields, [
      "12345678901234567890123",
      "1e-400",
      "0.1000000000000000055511",
      "12.5",
      '{"n":98765432109876543210}',
      "1234567890123456789",
    ]);
  }
  // A number a double keeps prints as before, whatever its spelling (12.50 → 12.5).
  assertEquals((await records(['{"plain": 12.50, "e": -3e2, "z": -0.0e5}']))[1].fields, [
    "12.5",
    "-300",
    "0",
  ]);
  await parseError(() => records(["12345678901234567890123"]), "holds a number");
});
