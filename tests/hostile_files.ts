/**
 * Generators of hostile uploads: files shaped to make one upload cost a server more than its
 * budget (`core/limits.ts`), or to carry what no PostgreSQL text can hold (NUL). Each returns
 * the bytes to send with the name and media type to send them as; sizes are parameters so a
 * test can scale a file to the budget it runs with. Used by the HTTP tests
 * (`tests/upload_budget_test.ts`) and the end-to-end hostile corpus.
 *
 * @module
 */

/** One hostile upload: its bytes, a file name and a media type that announce its format. */
export interface HostileFile {
  name: string;
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

/** `text` as a hostile file. */
function file(name: string, contentType: string, text: string): HostileFile {
  return { name, contentType, bytes: encoder.encode(text) };
}

/**
 * A CSV whose header is two fields of `fieldBytes` bytes each (15 MiB by default: each under the
 * 16 MiB field bound, 30 MiB together over the record bound), then one data row.
 */
export function twoFieldHeaderCsv(fieldBytes: number = 15 * MiB): HostileFile {
  const tail = encoder.encode("\n1,2\n");
  const bytes = new Uint8Array(2 * fieldBytes + 1 + tail.length);
  bytes.fill(0x61, 0, fieldBytes); // a
  bytes[fieldBytes] = 0x2c; // ,
  bytes.fill(0x62, fieldBytes + 1, 2 * fieldBytes + 1); // b
  bytes.set(tail, 2 * fieldBytes + 1);
  return { name: "two_field_header.csv", contentType: "text/csv", bytes };
}

/**
 * A JSON array of `objects` objects, each with `keys` keys no other object has (1,000 × 1,000 by
 * default, about 13 MB): a header union of `objects × keys` columns.
 */
export function manyKeysJson(objects = 1000, keys = 1000): HostileFile {
  const parts: string[] = [];
  for (let o = 0; o < objects; o++) {
    const fields: string[] = [];
    for (let k = 0; k < keys; k++) fields.push(`"k${o}_${k}":${k}`);
    parts.push(`{${fields.join(",")}}`);
  }
  return file("many_keys.json", "application/json", `[${parts.join(",\n")}]`);
}

/** The places a NUL can hide in an upload's content, for {@linkcode nulFile}. */
export type NulPlace = "csv_cell" | "json_key" | "json_value" | "ndjson_value";

/**
 * A small facilities file (`facility_id,name`) with one NUL at `place`, on line 2 of CSV and
 * NDJSON (the second object of the JSON array, on line 2, too).
 */
export function nulFile(place: NulPlace): HostileFile {
  switch (place) {
    case "csv_cell":
      return file("nul_cell.csv", "text/csv", "facility_id,name\nABC-000001,Nul\0Works\n");
    case "json_key":
      return file(
        "nul_key.json",
        "application/json",
        '[{"facility_id": "ABC-000001", "name": "One"},\n{"facility_id": "ABC-000002", "na\\u0000me": "Two"}]',
      );
    case "json_value":
      return file(
        "nul_value.json",
        "application/json",
        '[{"facility_id": "ABC-000001", "name": "One"},\n{"facility_id": "ABC-000002", "name": "T\\u0000wo"}]',
      );
    case "ndjson_value":
      return file(
        "nul_value.ndjson",
        "application/x-ndjson",
        '{"facility_id": "ABC-000001", "name": "One"}\n{"facility_id": "ABC-000002", "name": "T\\u0000wo"}\n',
      );
  }
}

/** A file name holding a NUL, as a client may send it (`X-File-Name` percent-encodes it). */
export const NUL_FILE_NAME = "fac\0ilities.csv";

/**
 * A multipart body whose file part's `filename` holds a raw NUL byte (a browser would not send
 * one; a hand-made client can), with `content` as the file. Send with the returned content type.
 */
export function nulFileNameForm(
  content: string,
): { contentType: string; body: Uint8Array<ArrayBuffer> } {
  const boundary = "----hostile-nul-name";
  const text = `--${boundary}\r\n` +
    `Content-Disposition: form-data; name="file"; filename="${NUL_FILE_NAME}"\r\n` +
    "Content-Type: text/csv\r\n\r\n" +
    content +
    `\r\n--${boundary}--\r\n`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: encoder.encode(text) };
}

/** A column mapping (`?mapping=`) whose header names a NUL. */
export const NUL_MAPPING = JSON.stringify({ "Facility\0ID": "facility_id" });

/**
 * A JSON file of emissions (facility `ABC-000101`, pollutant CO2, years from 2001) whose amounts
 * are `amounts`, written as given: numbers such as `12345678901234567890123` (past double
 * precision) or `1e-400` (below a double's range, which `JSON.parse` makes 0).
 */
export function preciseNumbersJson(amounts: readonly string[]): HostileFile {
  const objects = amounts.map((amount, i) =>
    `{"facility_id": "ABC-000101", "year": ${
      2001 + i
    }, "pollutant": "CO2", "amount": ${amount}, "unit": "t"}`
  );
  return file("precise.json", "application/json", `[${objects.join(",\n")}]`);
}
