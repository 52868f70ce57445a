import { assert, assertEquals, assertRejects, test } from "../../../tests/assert.ts";
import { type IngestErrorType, isIngestError } from "../../errors.ts";
import { detectDelimiter, parseCsv, type ParseOptions } from "./csv.ts";
import type { SourceRecord } from "./source_record.ts";

type Input = string | string[] | ReadableStream<string>;

async function records(
  input: Input,
  options?: ParseOptions,
): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const batch of parseCsv(typeof input === "string" ? [input] : input, options)) {
    assert(batch.length > 0, "batches are never empty");
    out.push(...batch);
  }
  return out;
}

async function fields(input: Input, options?: ParseOptions): Promise<string[][]> {
  return (await records(input, options)).map((r) => r.fields);
}

async function parseError(
  input: Input,
  options?: ParseOptions,
  type: IngestErrorType = "parse_error",
) {
  const err = await assertRejects(() => records(input, options));
  assert(isIngestError(err, type), `expected ${type}, got ${err}`);
  return err;
}

/** Awaits the `limit_exceeded` of parsing `input` and checks it names `limit`. */
async function limitError(input: Input, options: ParseOptions, limit: string) {
  const err = await parseError(input, options, "limit_exceeded");
  assertEquals(err.details.limit, limit);
  return err;
}

test("parseCsv() handles quoted fields with delimiters and doubled quotes", async () => {
  assertEquals(await fields('a,b,c\n"x,y","say ""hi""",""\n'), [
    ["a", "b", "c"],
    ["x,y", 'say "hi"', ""],
  ]);
});

test("parseCsv() keeps newlines inside quotes in one record", async () => {
  const result = await records('id,note\n1,"line 1\r\nline 2\nline 3"\n2,x\n');
  assertEquals(result.map((r) => r.fields), [
    ["id", "note"],
    ["1", "line 1\r\nline 2\nline 3"],
    ["2", "x"],
  ]);
  assertEquals(result.map((r) => [r.row, r.line]), [[1, 1], [2, 2], [3, 5]]);
});

test("parseCsv() handles CRLF, CR-only and mixed line ends", async () => {
  const expected = [["a", "b"], ["1", "2"], ["3", "4"]];
  assertEquals(await fields("a,b\r\n1,2\r\n3,4\r\n"), expected);
  assertEquals(await fields("a,b\r1,2\r3,4\r"), expected);
  const mixed = await records("a,b\r\n1,2\r3,4\n");
  assertEquals(mixed.map((r) => r.fields), expected);
  assertEquals(mixed.map((r) => r.line), [1, 2, 3]);
});

test("parseCsv() strips a BOM left in the text", async () => {
  assertEquals(await fields(["\uFEFFid,name\n", "1,x\n"]), [["id", "name"], ["1", "x"]]);
});

test("parseCsv() keeps empty fields, including a trailing one", async () => {
  assertEquals(await fields("a,b,c\n,,\n1,,\n"), [["a", "b", "c"], ["", "", ""], ["1", "", ""]]);
  assertEquals(await fields("a,b\n1,"), [["a", "b"], ["1", ""]]);
});

test("parseCsv() gives the same records with or without a trailing newline", async () => {
  assertEquals(await records("a,b\n1,2"), await records("a,b\n1,2\n"));
  assertEquals(await records('a,b\n1,"2"'), await records('a,b\n1,"2"\r\n'));
});

test("parseCsv() returns ragged rows as they are", async () => {
  assertEquals(await fields("a,b,c\n1,2\n1,2,3,4\n\n"), [["a", "b", "c"], ["1", "2"], [
    "1",
    "2",
    "3",
    "4",
  ]]);
});

test("parseCsv() yields only the header for a header-only file", async () => {
  assertEquals(await records("a,b,c\r\n"), [{ row: 1, line: 1, fields: ["a", "b", "c"] }]);
});

test("parseCsv() yields nothing for empty input or only blank lines", async () => {
  assertEquals(await records(""), []);
  assertEquals(await records([]), []);
  assertEquals(await records("\n\r\n\r\n"), []);
});

test("parseCsv() skips lines of spaces or empty cells before the header only", async () => {
  assertEquals(await fields("  \r\n,,,\n\t\n"), []);
  const found = await records(" \n,,\nid,name\n,\n  \n1,x\n");
  assertEquals(found.map((r) => [r.row, r.line, r.fields]), [
    [3, 3, ["id", "name"]],
    [4, 4, ["", ""]],
    [5, 5, ["  "]],
    [6, 6, ["1", "x"]],
  ]);
  // Cut anywhere, with batches of one, the result is the same.
  const small = await records([" \n", ",", ",\nid,na", "me\n1,x\n"], { batchSize: 1 });
  assertEquals(small.map((r) => r.fields), [["id", "name"], ["1", "x"]]);
});

test("parseCsv() skips blank lines but counts them as rows and lines", async () => {
  const result = await records("\nh1,h2\n\n1,2\r\n\r\n\r\n3,4\r\r5,6\n");
  assertEquals(result.map((r) => r.fields), [["h1", "h2"], ["1", "2"], ["3", "4"], ["5", "6"]]);
  assertEquals(result.map((r) => r.row), [2, 4, 7, 9]);
  assertEquals(result.map((r) => r.line), [2, 4, 7, 9]);
});

test("parseCsv() counts a multi-line record as one row but its lines as lines", async () => {
  const result = await records('h\n"a\n\nb"\nc\n');
  assertEquals(result.map((r) => [r.row, r.line]), [[1, 1], [2, 2], [3, 5]]);
});

test("parseCsv() keeps a stray quote in an unquoted field and text after a closing quote", async () => {
  assertEquals(await fields('a,b\n5" pipe,x\n"quoted"tail,"a""b"c\n'), [
    ["a", "b"],
    ['5" pipe', "x"],
    ["quotedtail", 'a"bc'],
  ]);
  // A quote after leading spaces does not open a quoted field.
  assertEquals(await fields('a\n "x,y"\n'), [["a"], [' "x', 'y"']]);
});

test("parseCsv() detects the delimiter from the first lines", async () => {
  assertEquals(await fields("a;b\n1,5;2\n"), [["a", "b"], ["1,5", "2"]]);
  assertEquals(await fields("a\tb\nx, y\t2\n"), [["a", "b"], ["x, y", "2"]]);
  assertEquals(await fields("a|b\n1|2\n"), [["a", "b"], ["1", "2"]]);
  assertEquals(await fields('"x;y",b\n1,2\n'), [["x;y", "b"], ["1", "2"]]);
});

test("parseCsv() uses the given delimiter (TSV) instead of detecting", async () => {
  assertEquals(await fields("a,b\tc\n1\t2\n", { delimiter: "\t" }), [["a,b", "c"], ["1", "2"]]);
});

test("parseCsv() detects the delimiter when the header arrives in small chunks", async () => {
  const text = "name;amount\n" + "x;1,5\n".repeat(20_000);
  const chunks = text.match(/[^]{1,7}/g)!;
  const result = await records(chunks);
  assertEquals(result.length, 20_001);
  assertEquals(result[20_000], { row: 20_001, line: 20_001, fields: ["x", "1,5"] });
});

test("parseCsv() reports an unclosed quote with the line where the field opened", async () => {
  const err = await parseError('a,b\n1,2\r\n3,"open\nmore\n4,5\n');
  assertEquals(err.details.line, 3);
  assertEquals(err.details.row, 3);
});

test("parseCsv() rejects a field over maxFieldBytes with its line", async () => {
  const err = await limitError(["a,b\n1,", "x".repeat(60), "x".repeat(60), "\n"], {
    maxFieldBytes: 100,
  }, "maxFieldBytes");
  assertEquals(err.details.line, 2);
  assertEquals(err.details.column, 2);
  assertEquals(err.details.max, 100);
  // UTF-8 bytes count, not characters: 40 × "é" is 80 bytes.
  await limitError(`a\n${"é".repeat(40)}\n`, { maxFieldBytes: 79 }, "maxFieldBytes");
  assertEquals(await fields(`a\n${"é".repeat(40)}\n`, { maxFieldBytes: 80 }), [["a"], [
    "é".repeat(40),
  ]]);
});

test("parseCsv() rejects a record over maxRecordBytes, its fields counted together", async () => {
  // Two fields, each under the field bound, over the record bound together: the header too.
  const half = "x".repeat(60);
  const options = { maxFieldBytes: 100, maxRecordBytes: 100 };
  for (const input of [`${half},${half}\n1,2\n`, ["a,b\n", half, ",", half, "\n"]]) {
    const err = await limitError(input, options, "maxRecordBytes");
    assertEquals(err.details.max, 100);
    assertEquals(err.details.column, 2, String(input));
  }
  const quoted = await limitError(`a,b\n"${half}","${half}"\n`, options, "maxRecordBytes");
  assertEquals([quoted.details.line, quoted.details.row], [2, 2]);
  // Exactly at the bound passes, in UTF-8 bytes (25 × "é" is 50 bytes): the count restarts per record.
  const accents = "é".repeat(25);
  const exact = `${accents},${accents}\n${accents},${accents}\n`;
  assertEquals((await fields(exact, options)).length, 2);
  await limitError(`${accents},${accents}x\n`, options, "maxRecordBytes");
});

test("parseCsv() rejects a record over maxColumns with its line", async () => {
  const err = await limitError("a,b\n1,2\n1,2,3\n", { maxColumns: 2 }, "maxColumns");
  assertEquals(err.details.line, 3);
  assertEquals(await fields("a,b\n1,2\n", { maxColumns: 2 }), [["a", "b"], ["1", "2"]]);
});

test("parseCsv() parses a 1 MB field and 10 000 columns with the defaults", async () => {
  const big = "x".repeat(1024 * 1024);
  const result = await fields(["id,note\n1,", big.slice(0, 500_000), big.slice(500_000), "\n"]);
  assertEquals(result[1][1].length, big.length);
  const header = Array.from({ length: 10_000 }, (_, k) => `c${k}`).join(",");
  assertEquals((await fields(`${header}\n`))[0].length, 10_000);
});

test("parseCsv() batches records by batchSize, the header first", async () => {
  const batches: SourceRecord[][] = [];
  for await (const batch of parseCsv(["h\n1\n2\n", "3\n4\n"], { batchSize: 2 })) {
    batches.push(batch);
  }
  assertEquals(batches.map((b) => b.map((r) => r.fields[0])), [["h", "1"], ["2", "3"], ["4"]]);
});

test("parseCsv() reads a ReadableStream and cancels it on error", async () => {
  let cancelled = false;
  let pulls = 0;
  // An endless quoted field: only the field limit stops it.
  const stream = new ReadableStream<string>({
    pull(controller) {
      controller.enqueue(pulls++ === 0 ? 'a\n"open' : "x".repeat(100));
    },
    cancel() {
      cancelled = true;
    },
  });
  const err = await limitError(stream, { delimiter: ",", maxFieldBytes: 1000 }, "maxFieldBytes");
  assertEquals(err.details.line, 2);
  assert(cancelled);
});

// Every split point of every case, in two and in three pieces, must give the same records.
const RECHUNK_CASES = [
  'a,b,c\r\n"x,""y""\r\nz",,3\r\n\r\n1,2\r3,4\n"",""""\n',
  'h1;h2\n"a;b";"c\rd"\r\n\n\ne;f',
  'a\tb\n"\t"\t""""\r\n',
  'q,r\n"a""b""",c\n"""",""\n',
  'x,y\n"open\r\n',
];

test("parseCsv() gives the same result however the text is chunked", async () => {
  for (const input of RECHUNK_CASES) {
    // A given delimiter makes the scanner see the chunks as they are (no detection buffering).
    const delimiter = detectDelimiter(input);
    const outcome = async (chunks: string[]) => {
      try {
        return await records(chunks, { delimiter });
      } catch (err) {
        return isIngestError(err) ? err.toJSON() : err;
      }
    };
    const whole = await outcome([input]);
    for (let i = 0; i <= input.length; i++) {
      assertEquals(await outcome([input.slice(0, i), input.slice(i)]), whole, `cut at ${i}`);
      for (let j = i; j <= input.length; j++) {
        const pieces = [input.slice(0, i), input.slice(i, j), input.slice(j)];
        assertEquals(await outcome(pieces), whole, `cut at ${i} and ${j}`);
      }
    }
    assertEquals(await outcome([...input]), whole, "one character a chunk");
  }
});

test("parseCsv() after receive() and decode() stops reading the body on a parse error", async () => {
  const { receive } = await import("../receive.ts");
  const { decode } = await import("../decode.ts");
  let pulls = 0;
  let cancelled = false;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      controller.enqueue(
        encoder.encode(pulls === 1 ? '\uFEFFid,note\r\n1,"open\r\n' : "x".repeat(1000)),
      );
    },
    cancel() {
      cancelled = true;
    },
  });
  const received = receive(body, { maxBytes: 1_000_000 });
  const err = await limitError(
    decode(received.stream),
    { delimiter: ",", maxFieldBytes: 10_000 },
    "maxFieldBytes",
  );
  assertEquals(err.details.line, 2);
  assert(cancelled, "the body was cancelled");
  assert(pulls < 20, `read ${pulls} chunks`);
  await assertRejects(() => received.stats);
});
