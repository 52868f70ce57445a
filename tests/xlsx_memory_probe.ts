/**
 * Reads a workbook the way the server does (spooled to a temporary file, the sheet streamed)
 * and prints the row count and the process's peak RSS, for tests/xlsx_memory_test.ts.
 *
 * Usage: deno run -A tests/xlsx_memory_probe.ts FILE.xlsx
 */
import { parseXlsxRecords } from "../core/stages/parse/xlsx.ts";
import { fileSpool } from "../host/deno/file_spool.ts";

const file = await Deno.open(Deno.args[0]);
const source = await fileSpool(file.readable);
let rows = 0;
let fields = 0;
try {
  for await (const batch of parseXlsxRecords(source)) {
    rows += batch.length;
    for (const record of batch) fields += record.fields.length;
  }
} finally {
  await source.close();
}
const status = await Deno.readTextFile("/proc/self/status");
const peakKb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1]);
console.log(JSON.stringify({ rows, fields, peakMb: Math.round(peakKb / 1024) }));
