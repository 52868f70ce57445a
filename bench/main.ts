/**
 * `deno task bench`: Intake beside its physical baseline, every figure in one run.
 *
 * - Ingest, per file size (`BENCH_SIZES`, default 100 k, 1 M and 5 M rows): `psql \copy` into a
 *   table like the target with the same primary key (the baseline), then Intake direct and
 *   staged + commit through the CLI (`cli/ingest.ts`, as `deno task ingest` runs it) and through
 *   HTTP (a `main.ts` server process). Files are deterministic and cached in `INTAKE_BENCH_DIR`
 *   (default `$TMPDIR/intake-bench`).
 * - Where the time goes (1 M rows): parse alone, validate alone, an in-process direct import (a
 *   first load) and an in-process staged import with its commit (`ingest_once.ts`), and the CPU
 *   seconds the whole machine spent on each of them and on a `\copy` of the same file.
 * - Embedded PGlite through the CLI (100 k rows).
 * - Memory: a ~1 GB file (`BENCH_MEMORY_ROWS`, default 12 M rows; 0 skips) through the CLI.
 * - Tracing: HTTP direct imports of 1 M rows with `OTEL_DENO=true` exporting to a loopback
 *   receiver, each run side by side with one without (`BENCH_TRACING_ROUNDS` pairs, 30), see
 *   `tracing_cost.ts`: the cost by wall time and by the server's CPU seconds, with its 95 % CI.
 * - HTTP load: autocannon, 64 connections, `BENCH_HTTP_SECONDS` (10) per path, beside a bare
 *   `Deno.serve` hello-world.
 * - 16 concurrent HTTP uploads of 100 k rows.
 *
 * Each measured process's peak RSS is its own (VmHWM). Prints tables; JSON goes to
 * `bench/results/`.
 *
 * @module
 */
import { generateEmissionsCsv, generateFacilitiesCsv } from "./gen_emissions.ts";
import { load, type LoadResult, startBareServer } from "./http_load.ts";
import { machineCpuSeconds, timedCommand } from "./proc.ts";
import { MALLOC_ENV } from "../host/deno/process_settings.ts";
import { startServerProcess, uploadAndWait, V8_FLAGS } from "./server_process.ts";
import { type Estimate, measureTracingCost } from "./tracing_cost.ts";

const env = (name: string, fallback: string) => Deno.env.get(name) ?? fallback;
const sizes = env("BENCH_SIZES", "100000,1000000,5000000").split(",").map(Number);
const memoryRows = Number(env("BENCH_MEMORY_ROWS", "12000000"));
const httpSeconds = Number(env("BENCH_HTTP_SECONDS", "10"));
const tracingRounds = Number(env("BENCH_TRACING_ROUNDS", "30"));
const rounds = Number(env("BENCH_ROUNDS", "3"));
const url = Deno.env.get("BENCH_DATABASE_URL") ?? Deno.env.get("TEST_DATABASE_URL");
if (!url) {
  console.error("Set BENCH_DATABASE_URL (or run `bash bench/run.sh`, which starts a cluster)");
  Deno.exit(2);
}
const dir = env("INTAKE_BENCH_DIR", `${env("TMPDIR", "/tmp")}/intake-bench`);
await Deno.mkdir(dir, { recursive: true });
const ROOT = new URL("../", import.meta.url).pathname;

/** The cached file of `n` rows, generated once. */
async function dataFile(n: number): Promise<string> {
  const path = `${dir}/emissions_${n}.csv`;
  try {
    await Deno.stat(path);
  } catch {
    console.error(`generating ${path}…`);
    await generateEmissionsCsv(n, 1).pipeTo((await Deno.create(`${path}.part`)).writable);
    await Deno.rename(`${path}.part`, path);
  }
  return path;
}

async function psql(sql: string, database = url!): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command("psql", {
    args: [database, "-v", "ON_ERROR_STOP=1", "-qc", sql],
  })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return (performance.now() - started) / 1000;
}

async function resetTables(database = url!): Promise<void> {
  await psql(
    "drop table if exists emissions_baseline; " +
      "create table emissions_baseline (like emissions including all); " +
      "truncate emissions; delete from ingest_rows; delete from ingest_undo; delete from ingest_runs",
    database,
  );
  // Every measurement starts with no checkpoint due: within one run, the rounds' ratios fell
  // from round to round (91, 74, 65 %) as the writes of the earlier ones came due halfway through
  // later ones. CHECKPOINT needs a superuser (or pg_checkpoint); without one, this is skipped.
  await psql("checkpoint", database).catch(() => {});
}

/** The baseline: `psql \\copy` of `file` into a table like the target; returns its seconds. */
function copyBaseline(file: string): Promise<number> {
  return psql(`\\copy emissions_baseline from '${file}' csv header`);
}

/** One CLI ingest (`--staged` then `--commit` for staged), in its own process. */
async function cli(file: string, mode: "direct" | "staged", databaseUrl?: string) {
  const base = ["run", "-A", V8_FLAGS, `${ROOT}cli/ingest.ts`];
  const db = databaseUrl ? ["--database-url", databaseUrl] : [];
  const childEnv: Record<string, string> = { ...MALLOC_ENV };
  if (!databaseUrl) {
    // A fresh PGlite: the facilities the file names go in first, outside the measurement.
    childEnv.INTAKE_DATA_DIR = await Deno.makeTempDir({ prefix: "intake-bench-pglite-" });
    const rows = Number(/emissions_(\d+)\.csv$/.exec(file)?.[1] ?? 1_000_000);
    const register = `${dir}/facilities_for_${rows}.csv`;
    await Deno.writeTextFile(register, generateFacilitiesCsv(rows));
    await timedCommand(Deno.execPath(), [...base, "facilities", register, "--json"], childEnv);
  }
  const first = await timedCommand(Deno.execPath(), [
    ...base,
    "emissions",
    file,
    ...(mode === "staged" ? ["--staged"] : []),
    ...db,
    "--json",
  ], childEnv);
  const run = JSON.parse(first.stdout.trim().split("\n").pop()!);
  if (mode === "direct") return { ...first, rows: run.counts.rows };
  const commit = await timedCommand(
    Deno.execPath(),
    [...base, "--commit", run.id, ...db, "--json"],
    childEnv,
  );
  return {
    seconds: first.seconds + commit.seconds,
    peakRssMb: Math.max(first.peakRssMb, commit.peakRssMb),
    rows: run.counts.rows,
  };
}

/** One in-process measurement (`ingest_once.ts`), for stage timings. */
async function once(mode: string, file: string, db?: string): Promise<Record<string, unknown>> {
  const args = ["run", "-A", V8_FLAGS, `${ROOT}bench/ingest_once.ts`, mode, file];
  if (db) args.push(db);
  const r = await timedCommand(Deno.execPath(), args, MALLOC_ENV);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

interface Row {
  group: string;
  name: string;
  rows: number;
  mb: number;
  seconds: number;
  baselineSeconds?: number;
  peakRssMb?: number;
  /** Each round's ratio to its own `\copy`, when the figure was measured in rounds. */
  ratios?: number[];
}

/** One round's measurement beside that round's `\copy`. */
interface Sample {
  rows: number;
  seconds: number;
  baselineSeconds: number;
  peakRssMb?: number;
}

const BASELINE = "psql \\copy (baseline, PK)";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A figure's rounds as one: median times, each round's ratio, the highest peak. */
function summarize(samples: readonly Sample[]): Omit<Row, "group" | "name" | "mb"> {
  const peaks = samples.flatMap((s) => s.peakRssMb ?? []);
  return {
    rows: samples[0].rows,
    seconds: median(samples.map((s) => s.seconds)),
    baselineSeconds: median(samples.map((s) => s.baselineSeconds)),
    peakRssMb: peaks.length ? Math.max(...peaks) : undefined,
    ratios: samples.map((s) => s.baselineSeconds / s.seconds),
  };
}
const results: Row[] = [];
const fileMb = async (path: string) => (await Deno.stat(path)).size / 1e6;

// Migrated, and the facilities every generated file names are registered (emissions reference
// facilities), outside the measurements.
await timedCommand(Deno.execPath(), ["run", "-A", `${ROOT}db/migrate_cli.ts`, "up"], {
  DATABASE_URL: url,
});
const register = `${dir}/facilities_${Math.max(...sizes, memoryRows, 1_000_000)}.csv`;
await Deno.writeTextFile(
  register,
  generateFacilitiesCsv(Math.max(...sizes, memoryRows, 1_000_000)),
);
await psql("truncate facilities");
await psql(`\\copy facilities (facility_id, name) from '${register}' csv header`);
await cli(await dataFile(10), "direct", url);

// Ingest throughput by size, CLI and HTTP, each beside its own \copy, in rounds: this machine's
// speed drifts by ±15 % within minutes (one run's 5 M \copy ran at 57 % of its 1 M rate), so a
// figure is the median of its rounds, and its ratio the median of the ratios each round measured
// against its own \copy.
const baselines = new Map<number, number>();
const server = await startServerProcess({ DATABASE_URL: url });
for (const n of sizes) {
  const file = await dataFile(n);
  const mb = await fileMb(file);
  const group = `${n.toLocaleString("en")} rows`;
  const samples = new Map<string, Sample[]>();
  const add = (name: string, sample: Sample) =>
    samples.set(name, [...samples.get(name) ?? [], sample]);
  for (let round = 0; round < rounds; round++) {
    await resetTables();
    const baselineSeconds = await copyBaseline(file);
    add(BASELINE, { rows: n, seconds: baselineSeconds, baselineSeconds });
    for (const mode of ["direct", "staged"] as const) {
      await resetTables();
      const r = await cli(file, mode, url);
      add(mode === "direct" ? "CLI direct" : "CLI staged + commit", { ...r, baselineSeconds });
    }
    for (const mode of ["direct", "staged"] as const) {
      await resetTables();
      const r = await uploadAndWait(server, file, mode);
      add(mode === "direct" ? "HTTP direct" : "HTTP staged + commit", {
        rows: r.run.counts.rows,
        seconds: r.seconds,
        baselineSeconds,
      });
    }
  }
  baselines.set(n, median(samples.get(BASELINE)!.map((s) => s.seconds)));
  for (const [name, taken] of samples) results.push({ group, name, mb, ...summarize(taken) });
}
const serverPeak = server.peakRssMb();

// Where the time goes, at 1 M rows.
const million = await dataFile(1_000_000);
const millionMb = await fileMb(million);
for (const mode of ["parse", "validate"]) {
  const r = await once(mode, million);
  results.push({
    group: "stages (1 M rows)",
    name: `${mode} only`,
    rows: r.rows as number,
    mb: millionMb,
    seconds: r.seconds as number,
    peakRssMb: r.peakRssMb as number,
  });
}
await resetTables();
const stages = await once("direct", million, url);
results.push({
  group: "stages (1 M rows)",
  name: "direct import, in-process (a first load: COPY into the target)",
  rows: 1_000_000,
  mb: millionMb,
  seconds: (stages.spans as Record<string, { ms: number }>)["ingest.run"].ms / 1000,
  baselineSeconds: baselines.get(1_000_000),
  peakRssMb: stages.peakRssMb as number,
});
// The usual path, as a staged run and its commit take it, and a direct import into a table that
// has rows.
await resetTables();
const staged = await once("staged", million, url);
for (
  const [name, seconds] of [
    ["staged import, in-process: stage (COPY into staging)", staged.stageSeconds],
    ["↳ commit (staging → target)", staged.commitSeconds],
  ]
) {
  results.push({
    group: "stages (1 M rows)",
    name: name as string,
    rows: 1_000_000,
    mb: millionMb,
    seconds: seconds as number,
    baselineSeconds: baselines.get(1_000_000),
    peakRssMb: name === "↳ commit (staging → target)" ? staged.peakRssMb as number : undefined,
  });
}

// The machine's CPU, both cores, while \copy and the in-process runs above loaded the same file.
await resetTables();
const copyCpuBefore = machineCpuSeconds();
const copySeconds = await copyBaseline(million);
const cpu = [
  { name: "psql \\copy", seconds: copySeconds, cpuSeconds: machineCpuSeconds() - copyCpuBefore },
  {
    name: "direct import, in-process (a first load)",
    seconds: stages.seconds as number,
    cpuSeconds: stages.machineCpuSeconds as number,
  },
  {
    name: "staged import + commit, in-process",
    seconds: staged.seconds as number,
    cpuSeconds: staged.machineCpuSeconds as number,
  },
];

// Embedded PGlite.
const small = await dataFile(100_000);
for (const mode of ["direct", "staged"] as const) {
  results.push({
    group: "PGlite (100 k rows)",
    name: mode === "direct"
      ? "CLI direct, embedded PGlite"
      : "CLI staged + commit, embedded PGlite",
    mb: await fileMb(small),
    ...await cli(small, mode),
  });
}
const pgliteStages = await once("direct", small);

// Memory on a ~1 GB file.
if (memoryRows > 0) {
  const big = await dataFile(memoryRows);
  await resetTables();
  const r = await cli(big, "direct", url);
  results.push({ group: "memory", name: "CLI direct, ~1 GB file", mb: await fileMb(big), ...r });
}

// Tracing on (exporting to a loopback receiver) against off, side by side, each server with a
// database of its own: a second database, prepared like the first.
const tracingUrl = Object.assign(new URL(url), { pathname: "/intake_bench_tracing" }).href;
await psql("drop database if exists intake_bench_tracing");
await psql("create database intake_bench_tracing");
await timedCommand(Deno.execPath(), ["run", "-A", `${ROOT}db/migrate_cli.ts`, "up"], {
  DATABASE_URL: tracingUrl,
});
await psql(`\\copy facilities (facility_id, name) from '${register}' csv header`, tracingUrl);
const tracing = await measureTracingCost({
  urls: [url, tracingUrl],
  file: million,
  warmFile: small,
  rounds: tracingRounds,
  reset: resetTables,
});
await psql("drop database intake_bench_tracing");

// HTTP load, beside a bare Deno.serve.
await resetTables();
const seeded = await uploadAndWait(server, small, "direct");
const bare = await startBareServer();
const loads: LoadResult[] = [await load(bare.url, httpSeconds)];
await bare.stop();
for (const path of ["/", "/upload/facilities", "/health", `/api/v1/runs/${seeded.run.id}`]) {
  loads.push(await load(`${server.url}${path}`, httpSeconds));
}

// 16 concurrent uploads of 100 k rows.
await resetTables();
const startedAll = performance.now();
const uploads = await Promise.all(
  Array.from({ length: 16 }, () => uploadAndWait(server, small, "direct")),
);
const concurrentSeconds = (performance.now() - startedAll) / 1000;
const latencies = uploads.map((u) => u.seconds).sort((a, b) => a - b);
const concurrentPeak = server.peakRssMb();
await server.stop();

// Report.
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
console.log(
  `\n## Ingest (PostgreSQL 15, loopback; by size: the median of ${rounds} rounds, the ratios' range)\n`,
);
console.log("| file | measurement | rows/s | MB/s | vs \\copy | peak RSS MB |");
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
const table = results.map((r) => ({
  ...r,
  rowsPerSecond: Math.round(r.rows / r.seconds),
  mbPerSecond: r.mb / r.seconds,
  ratioToCopy: r.ratios ? median(r.ratios) : r.baselineSeconds && r.baselineSeconds / r.seconds,
}));
// A ratio measured in rounds shows its range: `74 % (70–78)`.
const ratioText = (r: (typeof table)[number]) =>
  !r.ratioToCopy
    ? "–"
    : !r.ratios || r.ratios.length < 2
    ? pct(r.ratioToCopy)
    : `${pct(r.ratioToCopy)} (${(Math.min(...r.ratios) * 100).toFixed(0)}–${
      (Math.max(...r.ratios) * 100).toFixed(0)
    })`;
for (const r of table) {
  console.log(
    `| ${r.group} | ${r.name} | ${r.rowsPerSecond.toLocaleString("en")} | ${
      r.mbPerSecond.toFixed(1)
    } | ${ratioText(r)} | ${r.peakRssMb?.toFixed(0) ?? "–"} |`,
  );
}
console.log(`\nHTTP server process peak RSS over all of the above: ${serverPeak.toFixed(0)} MB`);
console.log(
  "\n## Stage spans of one direct import (a first load), 1 M rows (ms; busy = own work)\n",
);
console.log(JSON.stringify(stages.spans));
console.log("\n## Stage spans of one staged import, 1 M rows\n");
console.log(JSON.stringify(staged.spans));
console.log("\n## Stage spans of one direct import on embedded PGlite, 100 k rows\n");
console.log(JSON.stringify(pgliteStages.spans));
const cores = navigator.hardwareConcurrency;
console.log(`\n## CPU, machine-wide, 1 M rows (${cores} cores: ${cores} CPU-seconds a second)\n`);
console.log("| measurement | wall s | CPU s | cores busy |");
console.log("| --- | ---: | ---: | ---: |");
for (const c of cpu) {
  console.log(
    `| ${c.name} | ${c.seconds.toFixed(2)} | ${c.cpuSeconds.toFixed(2)} | ${
      (c.cpuSeconds / c.seconds).toFixed(2)
    } |`,
  );
}
const interval = (e: Estimate) =>
  `${(e.mean * 100).toFixed(1)} % ± ${(e.halfWidth95 * 100).toFixed(1)}`;
console.log(
  `\n## Tracing (HTTP direct, 1 M rows, ${tracing.rounds} pairs side by side; mean ± 95 % CI)\n`,
);
console.log(
  `wall time: tracing costs ${interval(tracing.wall)}; server CPU: ${interval(tracing.cpu)} ` +
    `(${tracing.spans} spans received). Target < 3 %: ${
      tracing.wall.mean + tracing.wall.halfWidth95 < 0.03 ? "met" : "not shown"
    }`,
);
console.log(`\n## HTTP load (64 connections, ${httpSeconds} s each)\n`);
console.log("| path | req/s | p99 ms | errors | non-2xx | vs bare |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
for (const l of loads) {
  console.log(
    `| ${l === loads[0] ? "bare Deno.serve" : l.path} | ${
      Math.round(l.requestsPerSecond).toLocaleString("en")
    } | ${l.p99Ms} | ${l.errors} | ${l.non2xx} | ${
      pct(l.requestsPerSecond / loads[0].requestsPerSecond)
    } |`,
  );
}
const p99 = latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)];
console.log("\n## 16 concurrent HTTP uploads of 100 k rows (direct)\n");
console.log(
  `${Math.round(1_600_000 / concurrentSeconds).toLocaleString("en")} rows/s in total ` +
    `(${concurrentSeconds.toFixed(1)} s); per upload median ${latencies[8].toFixed(1)} s, p99 ${
      p99.toFixed(1)
    } s; server peak RSS ${concurrentPeak.toFixed(0)} MB`,
);

const out = new URL(
  `./results/bench_${new Date().toISOString().slice(0, 19)}.json`,
  import.meta.url,
);
await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
await Deno.writeTextFile(
  out,
  JSON.stringify(
    {
      ingest: table,
      serverPeakRssMb: serverPeak,
      stageSpans: stages.spans,
      stagedSpans: staged.spans,
      cpu,
      tracing,
      load: loads,
      concurrent: { seconds: concurrentSeconds, latencies, peakRssMb: concurrentPeak },
    },
    null,
    2,
  ),
);
