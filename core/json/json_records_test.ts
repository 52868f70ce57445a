import { assert, assertEquals, assertRejects, test } from "../../tests/assert.ts";
import { IngestError } from "../errors.ts";
import { HEADER_SAMPLE, type JsonParseOptions, parseJsonRecords } from "./json_records.ts";

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
    { row: 2, line: 2, fields: ["A-1", "12.5", "true", 'say "hi" [ok] {x}', "", ""] },
    { row: 3, line: 3, fields: ["A-2", "-300", "false", "", '["a","b"]', '{"k":null}'] },
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
    { row: 2, line: 1, fields: ["1", "a"] },
    { row: 3, line: 3, fields: ["2", ""] },
    { row: 4, line: 4, fields: ["3", "c"] },
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

test("parseJsonRecords() bounds one object's size", async () => {
  const big = `[{"a": "${"x".repeat(200)}"}]`;
  await parseError(
    () => records(bytewise(big), { maxObjectChars: 100 }),
    "longer than 100 characters",
  );
  await parseError(
    () => records([`{"a": "${"x".repeat(200)}"`], { maxObjectChars: 100 }),
    "longer than 100 characters",
  );
});
