/**
 * `deno task bench`: ingest throughput of Intake beside its physical baseline, in one run.
 *
 * Generates a deterministic emissions file (1 M rows by default, cached in `$INTAKE_BENCH_DIR`
 * or the temp dir), then measures on PostgreSQL (`BENCH_DATABASE_URL`, or the cluster started by
 * `bench/run.sh`): `psql \copy` into a table with the same primary key (the baseline), the
 * stages alone, direct import, staged import + commit; and direct import on embedded PGlite
 * (100 k rows). Each measurement runs in its own process so its peak RSS is its own.
 * Prints a table and writes JSON under `bench/results/`.
 *
 * @module
 */
import { generateEmissionsCsv } from "./gen_emissions.ts";

const rows = Number(Deno.env.get("BENCH_ROWS") ?? 1_000_000);
const pgliteRows = Number(Deno.env.get("BENCH_PGLITE_ROWS") ?? 100_000);
const url = Deno.env.get("BENCH_DATABASE_URL") ?? Deno.env.get("TEST_DATABASE_URL");
if (!url) {
  console.error("Set BENCH_DATABASE_URL (or run `bash bench/run.sh`, which starts a cluster)");
  Deno.exit(2);
}
const dir = Deno.env.get("INTAKE_BENCH_DIR") ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/intake-bench`;
await Deno.mkdir(dir, { recursive: true });

async function dataFile(n: number): Promise<string> {
  const path = `${dir}/emissions_${n}.csv`;
  try {
    await Deno.stat(path);
  } catch {
    await generateEmissionsCsv(n, 1).pipeTo((await Deno.create(path)).writable);
  }
  return path;
}

async function psql(sql: string): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command("psql", { args: [url!, "-v", "ON_ERROR_STOP=1", "-qc", sql] })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return (performance.now() - started) / 1000;
}

async function once(mode: string, file: string, db?: string): Promise<Record<string, number>> {
  // The same V8 heap cap as `deno task start`: without it V8 lets garbage pile up to ~350 MB.
  const args = [
    "run",
    "-A",
    "--v8-flags=--max-old-space-size=256,--max-semi-space-size=8",
    new URL("./ingest_once.ts", import.meta.url).pathname,
    mode,
    file,
  ];
  if (db) args.push(db);
  const out = await new Deno.Command(Deno.execPath(), { args, stderr: "inherit" }).output();
  if (!out.success) throw new Error(`${mode} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

async function resetTables(): Promise<void> {
  await psql(
    "drop table if exists emissions_baseline; " +
      "create table emissions_baseline (like emissions including all); " +
      "truncate emissions; delete from ingest_rows; delete from ingest_undo; delete from ingest_runs",
  );
}

const file = await dataFile(rows);
const mb = (await Deno.stat(file)).size / 1e6;
// The first ingest migrates the database; a tiny one keeps migration out of the figures.
await once("direct", await dataFile(10), url);
await resetTables();

const results: Array<{ name: string; rows: number; seconds: number; peakRssMb?: number }> = [];
const baselineSeconds = await psql(`\\copy emissions_baseline from '${file}' csv header`);
results.push({ name: "psql \\copy (baseline, PK)", rows, seconds: baselineSeconds });
for (const mode of ["parse", "validate"]) {
  const r = await once(mode, file);
  results.push({ name: `${mode} only`, rows: r.rows, seconds: r.seconds, peakRssMb: r.peakRssMb });
}
await resetTables();
const direct = await once("direct", file, url);
results.push({ name: "Intake direct (PostgreSQL)", ...pick(direct) });
await resetTables();
const staged = await once("staged", file, url);
results.push({
  name: "  stage (to staged)",
  rows: staged.rows,
  seconds: staged.stageSeconds,
  peakRssMb: staged.peakRssMb,
});
results.push({ name: "  commit", rows: staged.rows, seconds: staged.commitSeconds });
results.push({ name: "Intake staged + commit (PostgreSQL)", ...pick(staged) });
const small = await dataFile(pgliteRows);
results.push({
  name: `Intake direct (PGlite, ${pgliteRows} rows)`,
  ...pick(await once("direct", small)),
});

function pick(r: Record<string, number>) {
  return { rows: r.rows, seconds: r.seconds, peakRssMb: r.peakRssMb };
}

const baselineRate = rows / baselineSeconds;
console.log(`\nFile: ${rows} rows, ${mb.toFixed(1)} MB (${file})\n`);
console.log("| measurement | rows/s | MB/s | vs \\copy | peak RSS MB |");
console.log("| --- | ---: | ---: | ---: | ---: |");
const table = results.map((r) => {
  const rate = r.rows / r.seconds;
  const fileMb = r.rows === rows ? mb : mb * (r.rows / rows);
  return {
    ...r,
    rowsPerSecond: Math.round(rate),
    mbPerSecond: fileMb / r.seconds,
    ratioToCopy: rate / baselineRate,
  };
});
for (const r of table) {
  console.log(
    `| ${r.name} | ${r.rowsPerSecond.toLocaleString("en")} | ${r.mbPerSecond.toFixed(1)} | ${
      (r.ratioToCopy * 100).toFixed(0)
    } % | ${r.peakRssMb?.toFixed(0) ?? "–"} |`,
  );
}
const out = new URL(
  `./results/ingest_${new Date().toISOString().slice(0, 19)}.json`,
  import.meta.url,
);
await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
await Deno.writeTextFile(out, JSON.stringify({ rows, mb, results: table }, null, 2));
