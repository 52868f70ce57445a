/**
 * One measured ingest in its own process (so peak RSS is this run's alone), printed as JSON.
 *
 *   deno run -A bench/ingest_once.ts MODE FILE [DATABASE_URL]
 *
 * MODE: `parse` (receive → decode → parse), `validate` (+ map headers, validate),
 * `direct` (the whole pipeline, committed), `staged` (pipeline to staged, then commit).
 * Without DATABASE_URL an embedded PGlite in a fresh temp directory is used.
 *
 * @module
 */
import { trace } from "@opentelemetry/api";
import { sql } from "kysely";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { commitRun } from "../core/stages/commit.ts";
import { generateFacilitiesCsv } from "./gen_emissions.ts";
import { startIngest } from "../core/pipeline.ts";
import { PostgresStore } from "../store/postgres/postgres_store.ts";
import { decode } from "../core/stages/decode.ts";
import { mapHeaders } from "../core/stages/map_headers/header_match.ts";
import { parseCsv } from "../core/stages/parse/csv.ts";
import { receive } from "../core/stages/receive.ts";
import { compileRowValidator } from "../core/stages/validate.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { openDatabase } from "../db/open_database.ts";
import { loadUploadTypes } from "../host/deno/load_upload_types.ts";
import { nativeSha256 } from "../host/deno/native_sha256.ts";
import { machineCpuSeconds } from "./proc.ts";
import { streamSource } from "../core/upload_source.ts";

const [mode, file, url] = Deno.args;
// Spans give the time of each stage; `busy_ms` is a stage's own work inside overlapping spans.
const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
);
const types = await loadUploadTypes(new URL("../config/upload_types/", import.meta.url));
const type = types.get("emissions");
const bytes = (await Deno.stat(file)).size;
const result: Record<string, unknown> = { mode, bytes, database: url ? "postgres" : "pglite" };

if (mode === "parse" || mode === "validate") {
  const started = performance.now();
  const { stream } = receive((await Deno.open(file)).readable, {
    maxBytes: Infinity,
    sha256: nativeSha256,
  });
  let rows = 0;
  let validate: ReturnType<typeof compileRowValidator> | undefined;
  for await (const batch of parseCsv(decode(stream))) {
    let i = 0;
    if (!validate) {
      validate = compileRowValidator(type, mapHeaders(type, batch[0].fields));
      i = 1;
    }
    if (mode === "validate") {
      for (; i < batch.length; i++) validate(batch[i].fields, batch[i].numbers);
    }
    rows += batch.length - (i === 0 ? 0 : 1);
  }
  result.rows = rows;
  result.seconds = (performance.now() - started) / 1000;
} else {
  // PGlite on disk, as the server runs it (in memory, the data itself would count as RSS).
  const database = await openDatabase(
    url ? { url } : { dataDir: await Deno.makeTempDir({ prefix: "intake-bench-pglite-" }) },
  );
  await migrateToLatest(database);
  // Emissions reference facilities: the facilities this generated file (seed 1) names go in
  // first, outside the measurement, as few as it needs (PGlite's memory grows with the largest
  // statement it ran and stays grown).
  const rows = Number(/emissions_(\d+)\.csv$/.exec(file)?.[1] ?? 5_000_000);
  const [, ...facilities] = generateFacilitiesCsv(rows, 1).split("\n");
  const db = database.kysely;
  await sql`create table bench_facilities (like facilities)`.execute(db);
  await database.copyCsv("bench_facilities", ["facility_id", "name"], facilities.join("\n"));
  await sql`insert into facilities select * from bench_facilities on conflict do nothing`.execute(
    db,
  );
  await sql`drop table bench_facilities`.execute(db);
  const store = new PostgresStore(database);
  const cpuBefore = machineCpuSeconds();
  const started = performance.now();
  const handle = await startIngest(store, {
    type,
    mode: mode === "direct" ? "direct" : "staged",
    source: streamSource(
      (await Deno.open(file)).readable,
      async () => (await Deno.open(file)).readable,
    ),
    fileName: file,
    // As the CLI passes them.
    expectedBytes: bytes,
    sha256: nativeSha256,
  });
  let run = await handle.done;
  if (run.status === "failed") throw new Error(`Run failed: ${JSON.stringify(run.error)}`);
  result.stageSeconds = (performance.now() - started) / 1000;
  if (mode === "staged") {
    const commitStarted = performance.now();
    run = await commitRun(store, type, run.id, []);
    result.commitSeconds = (performance.now() - commitStarted) / 1000;
  }
  result.seconds = (performance.now() - started) / 1000;
  result.machineCpuSeconds = machineCpuSeconds() - cpuBefore;
  result.rows = run.counts.rows;
  result.status = run.status;
  await database.close();
}
result.spans = Object.fromEntries(
  spans.getFinishedSpans().map((s) => [
    s.name,
    {
      ms: Math.round(s.duration[0] * 1e3 + s.duration[1] / 1e6),
      ...(s.attributes["ingest.busy_ms"] !== undefined
        ? { busyMs: s.attributes["ingest.busy_ms"] }
        : {}),
    },
  ]),
);
const status = await Deno.readTextFile("/proc/self/status");
result.peakRssMb = Number(status.match(/VmHWM:\s+(\d+)/)![1]) / 1024;
console.log(JSON.stringify(result));
