/**
 * Chooses the CSV parser by measurement: correctness on the RFC 4180 edge cases Intake needs,
 * then throughput and peak memory on a generated emissions file, every candidate side by side
 * in one run. Each throughput measurement runs in its own process, so one candidate's heap
 * does not inflate the next one's peak RSS.
 *
 * Usage: `deno run -A bench/parse_bench.ts [--rows=1000000] [--runs=3] [--file=PATH] [--only=a,b]`
 *
 * Prints markdown tables (docs/parser.md quotes them).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { inferSchema, initParser } from "udsv";
import papaparse from "papaparse";
import { parse as csvParseStream } from "csv-parse/stream";
import { sha256 } from "@noble/hashes/sha2.js";
import { createSHA256 } from "hash-wasm";
import { parseCsv } from "../core/stages/parse/csv.ts";
import { receive } from "../core/stages/receive.ts";
import { decode } from "../core/stages/decode.ts";
import { generateEmissionsCsv } from "./gen_emissions.ts";

/** The slice of papaparse used here (@types/papaparse would pull in @types/node, which
 * replaces Deno's own Node types for the whole repo's type check). */
interface Papa {
  NODE_STREAM_INPUT: symbol;
  parse(input: symbol, config: { skipEmptyLines: boolean }): {
    on(event: string, listener: (value: never) => void): void;
    once(event: string, listener: () => void): void;
    write(chunk: string): boolean;
    end(): void;
  };
}
const Papa = papaparse as unknown as Papa;

type OnRow = (fields: string[], line?: number) => void;
/** A candidate parser: consumes text (or bytes) chunks and reports every record. */
type RowParser = (chunks: AsyncIterable<string>, onRow: OnRow) => Promise<void>;

const ownParser: RowParser = async (chunks, onRow) => {
  for await (const batch of parseCsv(chunks)) {
    for (const record of batch) onRow(record.fields, record.line);
  }
};

const udsvParser: RowParser = async (chunks, onRow) => {
  let parser: ReturnType<typeof initParser> | undefined;
  const onData = (row: string[]) => {
    onRow(row);
  };
  for await (const chunk of chunks) {
    // No header rows to skip: the header is a record like any other here.
    parser ??= initParser(inferSchema(chunk, { header: () => [] }));
    parser.chunk<string[]>(chunk, parser.stringArrs, onData);
  }
  parser?.end();
};

const papaParser: RowParser = async (chunks, onRow) => {
  const stream = Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: true });
  const done = new Promise<void>((resolve, reject) => {
    stream.on("data", (row: string[]) => onRow(row));
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  for await (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await done;
};

const csvParseParser: RowParser = async (chunks, onRow) => {
  const transform = csvParseStream({
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    info: true,
  });
  const writing = (async () => {
    const writer = transform.writable.getWriter();
    for await (const chunk of chunks) {
      await writer.ready;
      await writer.write(Buffer.from(chunk));
    }
    await writer.close();
  })();
  // An error surfaces through the readable side too; this one must not go unhandled.
  writing.catch(() => {});
  const readable = transform.readable as ReadableStream<
    { record: string[]; info: { lines: number } }
  >;
  for await (const item of readable) onRow(item.record, item.info.lines);
  await writing;
};

const PARSERS: Record<string, RowParser> = {
  "own (core/stages/parse/csv/parser.ts)": ownParser,
  "udsv 0.7.3 incremental": udsvParser,
  "papaparse 5.7.1 stream": papaParser,
  "csv-parse 7.0.3 stream": csvParseParser,
};

// ---------------------------------------------------------------------------------------------
// Correctness

interface Case {
  name: string;
  input: string;
  expected: string[][] | { error: number };
}

const CASES: Case[] = [
  { name: "quoted delimiter", input: 'a,b\n"x,y",z\n', expected: [["a", "b"], ["x,y", "z"]] },
  {
    name: "doubled quotes",
    input: 'a,b\n"say ""hi""",z\n',
    expected: [["a", "b"], ['say "hi"', "z"]],
  },
  {
    name: "newline in quotes",
    input: 'a,b\n"l1\nl2",z\n',
    expected: [["a", "b"], ["l1\nl2", "z"]],
  },
  { name: "CRLF", input: "a,b\r\n1,2\r\n", expected: [["a", "b"], ["1", "2"]] },
  { name: "CR only", input: "a,b\r1,2\r", expected: [["a", "b"], ["1", "2"]] },
  {
    name: "mixed line ends",
    input: "a,b\r\n1,2\n3,4\r5,6",
    expected: [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]],
  },
  {
    name: "CRLF in quotes, LF file",
    input: 'a,b\n"x\r\ny",z\n',
    expected: [["a", "b"], ["x\r\ny", "z"]],
  },
  {
    name: "empty fields",
    input: "a,b,c\n,,\n1,,3\n",
    expected: [["a", "b", "c"], ["", "", ""], ["1", "", "3"]],
  },
  { name: "no trailing newline", input: "a,b\n1,2", expected: [["a", "b"], ["1", "2"]] },
  {
    name: "ragged rows",
    input: "a,b,c\n1,2\n1,2,3,4\n",
    expected: [["a", "b", "c"], ["1", "2"], ["1", "2", "3", "4"]],
  },
  {
    name: "blank lines skipped",
    input: "a,b\n\n1,2\n\n\n3,4\n",
    expected: [["a", "b"], ["1", "2"], ["3", "4"]],
  },
  { name: "header only", input: "a,b,c\n", expected: [["a", "b", "c"]] },
  { name: "empty input", input: "", expected: [] },
  { name: "stray quote kept", input: 'a,b\n5" pipe,x\n', expected: [["a", "b"], ['5" pipe', "x"]] },
  { name: "semicolon detected", input: "a;b\n1,5;2\n", expected: [["a", "b"], ["1,5", "2"]] },
  { name: "tab detected", input: "a\tb\nx, y\t2\n", expected: [["a", "b"], ["x, y", "2"]] },
  { name: "unclosed quote → error", input: 'a,b\n1,2\n"open,x\n3,4\n', expected: { error: 3 } },
];

async function* chunked(pieces: string[]): AsyncGenerator<string> {
  for (const piece of pieces) yield piece;
}

/** Runs a parser over `pieces`; returns records with their lines, or the error. */
async function run(parser: RowParser, pieces: string[]) {
  const rows: string[][] = [];
  const lines: (number | undefined)[] = [];
  try {
    await parser(chunked(pieces), (fields, line) => {
      rows.push([...fields]);
      lines.push(line);
    });
    return { rows, lines, error: undefined };
  } catch (error) {
    return { rows, lines, error: error as Error & { details?: { line?: number }; lines?: number } };
  }
}

async function correctness(name: string, parser: RowParser): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  for (const c of CASES) {
    const { rows, error } = await run(parser, [c.input]);
    if (Array.isArray(c.expected)) {
      results[c.name] = !error && JSON.stringify(rows) === JSON.stringify(c.expected)
        ? "yes"
        : "NO";
    } else if (!error) {
      results[c.name] = "NO (no error)";
    } else {
      const line = error.details?.line ?? error.lines;
      results[c.name] = line === c.expected.error
        ? "yes (line)"
        : `error, ${line ? `line ${line} (not the opening one)` : "no line"}`;
    }
  }
  // Every cut of every case into two chunks, and one character a chunk, must give the same rows.
  let invariant = true;
  for (const c of CASES) {
    const whole = JSON.stringify(await run(parser, [c.input]));
    for (let cut = 1; cut < c.input.length && invariant; cut++) {
      const split = await run(parser, [c.input.slice(0, cut), c.input.slice(cut)]);
      invariant = JSON.stringify(split) === whole;
    }
    if (invariant) invariant = JSON.stringify(await run(parser, [...c.input])) === whole;
  }
  results["re-chunking invariance"] = invariant ? "yes" : "NO";
  // Physical start lines: the records below start on lines 1, 2 and 5 (a quoted newline and a
  // blank line come before the third).
  const { lines } = await run(parser, ['h\n"a\nb"\n\nc\n']);
  const starts = JSON.stringify(lines);
  results["start line of each record"] = starts === "[1,2,5]"
    ? "yes"
    : lines[0] === undefined
    ? "no"
    : `no (gives ${starts}: end lines)`;
  void name;
  return results;
}

// ---------------------------------------------------------------------------------------------
// Throughput (child processes)

interface Measurement {
  rows: number;
  bytes: number;
  ms: number;
  peakRss: number;
}

async function* textChunks(path: string, sample: () => void): AsyncGenerator<string> {
  const file = await Deno.open(path);
  for await (const chunk of file.readable.pipeThrough(new TextDecoderStream())) {
    sample();
    yield chunk;
  }
}

async function measureChild(kind: string, path: string): Promise<Measurement> {
  let peakRss = Deno.memoryUsage().rss;
  const sample = () => {
    const rss = Deno.memoryUsage().rss;
    if (rss > peakRss) peakRss = rss;
  };
  const bytes = (await Deno.stat(path)).size;
  let rows = 0;
  const started = performance.now();
  if (kind === "read + TextDecoderStream") {
    for await (const _ of textChunks(path, sample)) rows += 0;
  } else if (kind === "chain receive→decode→parse") {
    const file = await Deno.open(path);
    const received = receive(file.readable, { maxBytes: Infinity });
    for await (const batch of parseCsv(decode(received.stream))) {
      sample();
      rows += batch.length;
    }
    await received.stats;
  } else if (kind === "sha256 @noble/hashes") {
    const hasher = sha256.create();
    const file = await Deno.open(path);
    for await (const chunk of file.readable) {
      sample();
      hasher.update(chunk);
    }
    hasher.digest();
  } else if (kind === "sha256 hash-wasm") {
    const hasher = await createSHA256();
    hasher.init();
    const file = await Deno.open(path);
    for await (const chunk of file.readable) {
      sample();
      hasher.update(chunk);
    }
    hasher.digest("hex");
  } else {
    await PARSERS[kind](textChunks(path, sample), () => rows++);
  }
  const ms = performance.now() - started;
  sample();
  return { rows, bytes, ms, peakRss };
}

async function spawn(kind: string, path: string): Promise<Measurement> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, `--child=${kind}`, `--file=${path}`],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`Benchmark child "${kind}" failed`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function flag(name: string): string | undefined {
  return Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main() {
  const child = flag("child");
  if (child) {
    console.log(JSON.stringify(await measureChild(child, flag("file")!)));
    return;
  }
  const rows = Number(flag("rows") ?? 1_000_000);
  const runs = Number(flag("runs") ?? 3);
  const only = flag("only")?.split(",");
  let path = flag("file");
  if (!path) {
    path = await Deno.makeTempFile({ suffix: ".csv" });
    const file = await Deno.open(path, { write: true, truncate: true });
    await generateEmissionsCsv(rows, 1).pipeTo(file.writable);
  }
  const size = (await Deno.stat(path)).size;
  console.log(
    `Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, ${navigator.hardwareConcurrency} cores`,
  );
  console.log(`File: ${path}, ${(size / 1e6).toFixed(1)} MB\n`);

  console.log("## Correctness\n");
  const matrix: Record<string, Record<string, string>> = {};
  for (const [name, parser] of Object.entries(PARSERS)) {
    matrix[name] = await correctness(name, parser);
  }
  const names = Object.keys(PARSERS);
  console.log(`| case | ${names.join(" | ")} |`);
  console.log(`|---|${names.map(() => "---").join("|")}|`);
  for (const key of Object.keys(matrix[names[0]])) {
    console.log(`| ${key} | ${names.map((n) => matrix[n][key]).join(" | ")} |`);
  }

  console.log(`\n## Throughput (median of ${runs} runs, each in a fresh process)\n`);
  const kinds = [
    "read + TextDecoderStream",
    ...names,
    "chain receive→decode→parse",
    "sha256 @noble/hashes",
    "sha256 hash-wasm",
  ].filter((k) => !only || only.some((o) => k.includes(o)));
  const results = new Map<string, Measurement[]>(kinds.map((k) => [k, []]));
  // Interleaved, so a noisy moment of the machine hits every candidate alike.
  for (let r = 0; r < runs; r++) {
    for (const kind of kinds) results.get(kind)!.push(await spawn(kind, path));
  }
  // Every parser reads the same decoded text, so time beyond that baseline is parsing alone.
  const baseline = results.get("read + TextDecoderStream");
  const baseMs = baseline?.length ? median(baseline.map((m) => m.ms)) : undefined;
  console.log("| measured | rows | ms | rows/s | MB/s | rows/s beyond read+decode | peak RSS MB |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const [kind, ms] of results) {
    const elapsed = median(ms.map((m) => m.ms));
    const rowCount = ms[0].rows;
    const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString("en");
    const beyond = rowCount && baseMs !== undefined && kind !== "chain receive→decode→parse"
      ? rate(rowCount, elapsed - baseMs)
      : "–";
    const cells = [
      kind,
      rowCount || "–",
      elapsed.toFixed(0),
      rowCount ? rate(rowCount, elapsed) : "–",
      (size / 1e6 / (elapsed / 1000)).toFixed(0),
      beyond,
      (Math.max(...ms.map((m) => m.peakRss)) / 2 ** 20).toFixed(0),
    ];
    console.log(`| ${cells.join(" | ")} |`);
  }
  if (!flag("file")) await Deno.remove(path);
}

if (import.meta.main) await main();
