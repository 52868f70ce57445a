/**
 * `deno task ingest`: imports a file through the same pipeline as the upload API, directly
 * against the database (no server needed), or commits or discards a staged run.
 *
 * Exit codes (`exit_codes.ts`): 0 done; 1 when the run failed or any row was invalid (even if
 * skipped or staged), or the commit or discard was refused; 2 bad usage; 3 database
 * unavailable or in use; 130 interrupted. See docs/cli.md.
 *
 * @example
 * ```sh
 * deno task ingest facilities examples/facilities_clean.csv
 * deno task ingest facilities examples/facilities_changes.csv --staged
 * deno task ingest --commit 6f1c…
 * ```
 *
 * @module
 */
import { commitRun } from "../core/stages/commit.ts";
import { discardRun } from "../core/runs/review.ts";
import { requireRun } from "../core/runs/require_run.ts";
import { startIngest } from "../core/pipeline.ts";
import { streamSource } from "../core/upload_source.ts";
import { rememberMapping } from "../core/saved_mapping.ts";
import type { Run } from "../core/runs/run.ts";
import { fileSpool } from "../host/deno/file_spool.ts";
import { nativeSha256 } from "../host/deno/native_sha256.ts";
import { closeHostServices, type HostServices } from "../host/deno/services.ts";
import { UsageError } from "./args.ts";
import { type CliIo, processIo } from "./cli_io.ts";
import { loadCliUploadTypes, openCliServices } from "./cli_services.ts";
import { writeErrorReport } from "./error_report_file.ts";
import { EXIT, exitCodeFor } from "./exit_codes.ts";
import { INGEST_USAGE, type IngestCommand, parseIngestArgs } from "./ingest_args.ts";
import { ProgressBar } from "./progress_bar.ts";
import { reportFailure } from "./report_failure.ts";
import { formatRunError, formatRunSummary } from "./run_summary.ts";

type Ingest = Extract<IngestCommand, { action: "ingest" }>;
type Review = Extract<IngestCommand, { action: "commit" | "discard" }>;

/** Runs `deno task ingest` and returns its exit code. */
export async function runIngestCli(args: readonly string[], io: CliIo): Promise<number> {
  let json = false;
  let services: HostServices | undefined;
  try {
    const command = parseIngestArgs(args);
    if (command.action === "help") {
      io.out(INGEST_USAGE);
      return EXIT.ok;
    }
    json = command.json;
    if (command.action === "ingest") {
      // Checked before the database opens: a typo should not wait for (or lock) the database.
      const type = (await loadCliUploadTypes()).get(command.type);
      const input = await openInput(command.path);
      try {
        services = await openCliServices(io.env, command.databaseUrl);
      } catch (err) {
        input.file.close();
        throw err;
      }
      return await ingest(services, command, type.name, input, io);
    }
    services = await openCliServices(io.env, command.databaseUrl);
    return await review(services, command, io);
  } catch (err) {
    return reportFailure(err, json, io);
  } finally {
    if (services) await closeHostServices(services).catch(() => {});
  }
}

async function ingest(
  services: HostServices,
  command: Ingest,
  typeName: string,
  input: Input,
  io: CliIo,
): Promise<number> {
  const bar = new ProgressBar({
    totalBytes: input.size,
    draw: io.status,
    line: io.err,
    columns: io.columns,
  });
  let bytes = 0;
  const body = input.file.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        bar.update({ bytes });
        controller.enqueue(chunk);
      },
    }),
  );
  const started = performance.now();
  const handle = await startIngest(services.store, {
    type: services.uploadTypes.get(typeName),
    // A file (not a pipe) can be read again, as a first load that gives up needs.
    source: streamSource(
      body,
      input.size === null ? undefined : async () => (await Deno.open(command.path)).readable,
    ),
    mode: command.mode,
    fileName: command.path.split(/[\\/]/).pop() ?? command.path,
    expectedBytes: input.size ?? undefined,
    contentType: command.contentType,
    format: command.format,
    delimiter: command.delimiter,
    encoding: command.encoding,
    sheet: command.sheet,
    mapping: command.mapping,
    // The operator at the command line acts as the admin.
    shareMapping: true,
    limits: services.settings.uploadLimits,
    // A workbook needs random access: the host's spool keeps it in a temporary file.
    spool: fileSpool,
    sha256: nativeSha256,
    signal: io.signal,
    onProgress: (progress) => bar.update({ rows: progress.rows }),
  });
  const run = await handle.done;
  const elapsedMs = performance.now() - started;
  bar.finish({ bytes, rows: run.counts.rows });

  if (command.json) io.out(JSON.stringify(run));
  else {
    io.out(formatRunSummary(run, elapsedMs));
    if (run.status === "staged") io.out(reviewHint(run, command));
  }
  if (run.error) io.err(formatRunError(run.error));
  const code = run.error
    ? exitCodeFor(run.error.type)
    : run.counts.invalid > 0
    ? EXIT.rejected
    : EXIT.ok;
  // With --report the file is always (re)written, so a script never reads a stale one.
  if (run.counts.invalid === 0 && command.report === undefined) return code;
  try {
    const path = await writeErrorReport(services.store, run, command.report);
    io.err(`Error report (${run.counts.invalid} invalid rows): ${path}`);
    return code;
  } catch (err) {
    // The run itself is done and printed; only the report is missing.
    io.err(
      `Cannot write the error report to "${command.report ?? "a temp file"}": ${
        (err as Error).message
      }`,
    );
    return code === EXIT.ok ? EXIT.unavailable : code;
  }
}

async function review(services: HostServices, command: Review, io: CliIo): Promise<number> {
  const { store, uploadTypes } = services;
  const started = performance.now();
  const run = await requireRun(store, command.runId);
  const type = uploadTypes.get(run.uploadType);
  const done = command.action === "commit"
    ? await commitRun(store, type, run.id)
    : await discardRun(store, type, run.id);
  // The operator at the command line acts as the admin: a mapping the run was sent with is shared.
  await rememberMapping(store, type, done, { name: null, shared: true }).catch(() => {});
  if (command.json) io.out(JSON.stringify(done));
  else io.out(formatRunSummary(done, performance.now() - started));
  return EXIT.ok;
}

function reviewHint(run: Run, command: Ingest): string {
  const db = command.databaseUrl ? " --database-url …" : "";
  return [
    "",
    `Staged for review (the web UI shows the rows at /runs/${run.id}/review). Then:`,
    `  deno task ingest --commit ${run.id}${db}`,
    `  deno task ingest --discard ${run.id}${db}`,
  ].join("\n");
}

/** The file to import, open, and its size (null for a pipe or a device such as /dev/stdin). */
interface Input {
  file: Deno.FsFile;
  size: number | null;
}

/** Opens the file to import; a path that is missing, unreadable or a directory is bad usage. */
async function openInput(path: string): Promise<Input> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    throw new UsageError(`Cannot read "${path}": ${reason(err)}`);
  }
  if (info.isDirectory) throw new UsageError(`Cannot read "${path}": it is a directory`);
  try {
    return { file: await Deno.open(path), size: info.isFile ? info.size : null };
  } catch (err) {
    throw new UsageError(`Cannot read "${path}": ${reason(err)}`);
  }
}

function reason(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "no such file";
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  return err instanceof Error ? err.message : String(err);
}

if (import.meta.main) {
  Deno.exit(await runIngestCli(Deno.args, processIo()));
}
