/**
 * Reads hostile workbooks the way the server does (spooled to a temporary file, the default
 * budget, an upload limit of 100 MB) and prints, for each, the error it ended in and the
 * process's peak RSS so far, for tests/xlsx_hostile_memory_test.ts.
 *
 * Usage: deno run -A tests/xlsx_hostile_probe.ts FILE.xlsx...
 */
import { IngestError } from "../core/errors.ts";
import { parseXlsxRecords } from "../core/stages/parse/xlsx.ts";
import { fileSpool } from "../host/deno/file_spool.ts";

for (const path of Deno.args) {
  const file = await Deno.open(path);
  const source = await fileSpool(file.readable);
  const started = performance.now();
  let outcome: Record<string, unknown> = { type: "none" };
  try {
    for await (const _ of parseXlsxRecords(source, { maxExpandedBytes: 10 * 100e6 })) { /* rows */ }
  } catch (error) {
    outcome = error instanceof IngestError
      ? { type: error.type, limit: error.details.limit }
      : { type: "crash", message: String(error) };
  } finally {
    await source.close();
  }
  const status = await Deno.readTextFile("/proc/self/status");
  const peakKb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1]);
  const ms = Math.round(performance.now() - started);
  console.log(JSON.stringify({ path, ...outcome, ms, peakMb: Math.round(peakKb / 1024) }));
}
