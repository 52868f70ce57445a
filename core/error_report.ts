/**
 * The error report of a run (`errors.csv`): each invalid row with its original cells, plus
 * `row` and `errors` columns. It is meant to be fixed in a spreadsheet and uploaded again as a
 * new run of the same type (the two extra columns are then ignored as unknown headers).
 *
 * @module
 */
import { csvRecord } from "./csv/stringify.ts";
import type { Run } from "./runs.ts";
import type { CellError, Store } from "./store.ts";

const encoder = new TextEncoder();

/** Streams `errors.csv` for a run, formula cells escaped for spreadsheets. */
export function errorReport(store: Store, run: Run): ReadableStream<Uint8Array> {
  const rows = store.invalidRows(run.id)[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvRecord(["row", "errors", ...run.headers])));
      }
      let chunk = "";
      for (let i = 0; i < 500; i++) {
        const next = await rows.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        const { row, raw, errors } = next.value;
        chunk += csvRecord([row, describeErrors(errors), ...raw], { escapeFormulas: true });
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await rows.return?.();
    },
  });
}

/** One readable line for a row's errors: `amount: Must be at least 0; unit: Required`. */
export function describeErrors(errors: readonly CellError[]): string {
  return errors.map((e) => e.column ? `${e.column}: ${e.message}` : e.message).join("; ");
}
