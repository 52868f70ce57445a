/**
 * Core's read path as a fetch handler any runtime can serve: the body of a `POST
 * /?type=<upload type>&format=<csv|json|ndjson>` goes through receive → decode → parse → map
 * headers → validate, and the response is a canonical JSON {@linkcode CoreSummary} of the result.
 *
 * The module imports only core and the demo upload types (`config/upload_types/`, resolved by
 * core's own schema and registry), so `deno bundle` makes one self-contained file of it. Its
 * default export has the shape of a module worker (`{ fetch }`), which workerd serves as it is;
 * Deno and Node call `fetch` directly. `tests/runtimes_test.ts` compares the three.
 *
 * @module
 */
import { UploadTypeRegistry } from "../../core/config/registry.ts";
import { resolveUploadType } from "../../core/config/upload_type_schema.ts";
import { IngestError } from "../../core/errors.ts";
import { portableSha256, receive } from "../../core/stages/receive.ts";
import { decode } from "../../core/stages/decode.ts";
import { parseRecords, type TextFormat } from "../../core/stages/parse.ts";
import { mapHeaders } from "../../core/stages/map_headers/header_match.ts";
import { compileRowValidator, type RowValidator } from "../../core/stages/validate.ts";
import emissions from "../../config/upload_types/emissions.ts";
import facilities from "../../config/upload_types/facilities.ts";

/** What core made of one file; every runtime must produce the same. */
export type CoreSummary =
  | {
    /** Size and SHA-256 of the body, as `receive` counted them. */
    bytes: number;
    sha256: string;
    /** Config columns the header mapped to, in file order, and the headers left out. */
    columns: string[];
    ignored: string[];
    /** Data rows (the header is not one), and how many passed or failed validation. */
    rows: number;
    valid: number;
    invalid: number;
    errors: Array<{ row: number; column: string | null; code: string; message: string }>;
    /** SHA-256 of the JSON of every row's `[row, values]`, in file order. */
    valuesSha256: string;
  }
  | { error: { type: string; message: string; details: Record<string, unknown> } };

const registry = new UploadTypeRegistry([
  resolveUploadType(emissions, "config/upload_types/emissions.ts"),
  resolveUploadType(facilities, "config/upload_types/facilities.ts"),
]);

/** Runs one file through core's read path; typed errors become the summary's `error`. */
export async function summarize(
  body: ReadableStream<Uint8Array>,
  typeName: string,
  format: TextFormat,
): Promise<CoreSummary> {
  try {
    const type = registry.get(typeName);
    const received = receive(body, { maxBytes: type.maxFileBytes });
    const records = parseRecords(decode(received.stream), { format });
    const values = portableSha256();
    const encoder = new TextEncoder();
    const errors: Extract<CoreSummary, { rows: number }>["errors"] = [];
    let mapping: ReturnType<typeof mapHeaders> | undefined;
    let validate: RowValidator | undefined;
    let rows = 0;
    let invalid = 0;
    for await (const batch of records) {
      let start = 0;
      if (!mapping) {
        mapping = mapHeaders(type, batch[0].fields);
        validate = compileRowValidator(type, mapping);
        start = 1;
      }
      for (const record of batch.slice(start)) {
        const result = validate!(record.fields, record.numbers);
        rows++;
        values.update(encoder.encode(JSON.stringify([record.row, result.values]) + "\n"));
        if (result.ok) continue;
        invalid++;
        for (const e of result.errors) {
          errors.push({ row: record.row, column: e.column, code: e.code, message: e.message });
        }
      }
    }
    if (!mapping) throw new IngestError("bad_request", "The file is empty", {});
    const stats = await received.stats;
    return {
      bytes: stats.bytes,
      sha256: stats.sha256,
      columns: mapping.columns.map((c) => c.column.name),
      ignored: mapping.ignored.map((c) => c.header),
      rows,
      valid: rows - invalid,
      invalid,
      errors,
      valuesSha256: values.hex(),
    };
  } catch (err) {
    if (!(err instanceof IngestError)) throw err;
    return { error: { type: err.type, message: err.message, details: err.details } };
  }
}

export default {
  /** Serves {@linkcode summarize} for `POST /?type=…&format=…` with the file as the body. */
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const type = url.searchParams.get("type");
    const format = (url.searchParams.get("format") ?? "csv") as TextFormat;
    if (request.method !== "POST" || !request.body || !type) {
      return new Response("POST a file to /?type=<upload type>&format=<csv|json|ndjson>", {
        status: 400,
      });
    }
    return Response.json(await summarize(request.body, type, format));
  },
};
