/**
 * The error report of a run (`errors.csv`): each invalid row with its original cells, plus
 * `row` and `errors` columns. It is meant to be fixed in a spreadsheet and uploaded again as a
 * new run of the same type (the two extra columns are then ignored as unknown headers).
 *
 * @module
 */
import { csvRecord } from "./csv/stringify.ts";
import type { Run } from "./runs/run.ts";
import type { CellError, ReviewReader } from "./ports.ts";

const encoder = new TextEncoder();

/** Streams `errors.csv` for a run, formula cells escaped for spreadsheets. */
export function errorReport(
  store: Pick<ReviewReader, "invalidRows">,
  run: Run,
): ReadableStream<Uint8Array> {
  // A generator stream: a client that leaves mid-read cancels it between chunks, where a pull
  // source would still enqueue into the cancelled stream once its read came back.
  return ReadableStream.from(async function* () {
    yield encoder.encode(csvRecord(["row", "errors", ...run.headers]));
    let chunk = "";
    let count = 0;
    for await (const { row, raw, errors } of store.invalidRows(run.id)) {
      chunk += csvRecord([row, describeErrors(errors), ...raw], { escapeFormulas: true });
      if (++count % 500 === 0) {
        yield encoder.encode(chunk);
        chunk = "";
      }
    }
    if (chunk) yield encoder.encode(chunk);
  }());
}

/** One readable line for a row's errors: `amount: Must be at least 0; unit: Required`. */
export function describeErrors(errors: readonly CellError[]): string {
  return errors.map((e) => e.column ? `${e.column}: ${e.message}` : e.message).join("; ");
}
