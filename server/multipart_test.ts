import { createHash } from "node:crypto";
import { IngestError, isIngestError } from "../core/errors.ts";
import { assert, assertEquals, assertRejects, test } from "../tests/assert.ts";
import { type MultipartFile, readMultipartFile } from "./multipart.ts";

const encoder = new TextEncoder();

/** The exact bytes and Content-Type a real client sends for `form`. */
async function serialize(form: FormData): Promise<{ bytes: Uint8Array; contentType: string }> {
  const req = new Request("http://localhost/upload", { method: "POST", body: form });
  return {
    bytes: new Uint8Array(await req.arrayBuffer()),
    contentType: req.headers.get("content-type")!,
  };
}

/** A body that hands out `bytes` split at `cuts` (sorted offsets), one piece per pull. */
function pieces(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const bounds = [0, ...cuts, bytes.length];
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === bounds.length - 1) return controller.close();
      controller.enqueue(bytes.slice(bounds[i], bounds[i + 1]));
      i++;
    },
  }, { highWaterMark: 0 });
}

/** A body in chunks of `size` bytes. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  const cuts = [];
  for (let at = size; at < bytes.length; at += size) cuts.push(at);
  return pieces(bytes, cuts);
}

/**
 * Wraps `source` in a lazily pulled body of `size`-byte chunks that counts the bytes handed out
 * and tells when the consumer has read it to its end (or cancelled it).
 */
function metered(source: ReadableStream<Uint8Array>, size: number) {
  const reader = source.getReader();
  let pending = new Uint8Array(0);
  let finished = false;
  let resolveEnded!: () => void;
  const meter = {
    pulled: 0,
    cancelled: undefined as unknown,
    ended: new Promise<void>((resolve) => resolveEnded = resolve),
    stream: new ReadableStream<Uint8Array>({
      async pull(controller) {
        while (pending.length < size && !finished) {
          const { done, value } = await reader.read();
          if (done) {
            finished = true;
          } else {
            const joined = new Uint8Array(pending.length + value.length);
            joined.set(pending);
            joined.set(value, pending.length);
            pending = joined;
          }
        }
        if (pending.length === 0) {
          // The consumer has asked for more after the last byte: it read the body to its end.
          controller.close();
          return resolveEnded();
        }
        const chunk = pending.slice(0, size);
        pending = pending.slice(chunk.length);
        meter.pulled += chunk.length;
        controller.enqueue(chunk);
      },
      async cancel(reason) {
        meter.cancelled = reason;
        await reader.cancel(reason);
        resolveEnded();
      },
    }, { highWaterMark: 0 }),
  };
  return meter;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(...parts: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const bytes = parts.map((p) => typeof p === "string" ? encoder.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((b, j) => hay[i + j] === b)) return i;
  }
  return -1;
}

/** Asserts that `err` is a bad_request IngestError whose message starts with `prefix`. */
function assertBadRequest(err: unknown, prefix: string): void {
  assert(isIngestError(err, "bad_request"), `expected bad_request, got ${err}`);
  assert(err.message.startsWith(prefix), `unexpected message: ${err.message}`);
}

// File content that tries to look like multipart framing: CRLFs, dashes at line starts, and a
// CRLF-dash run followed by digits like the boundaries Deno generates.
const TRICKY = concat(
  'id,note\r\n1,"--"\r\n--\r\n----\r\n',
  "2,\r\n------12345678901234567890123456789\r\n",
  "\r\n\r\n--\r\n\r\n",
  new Uint8Array([0, 13, 10, 45, 45, 255, 254, 13]),
  "\r\n------",
);

async function trickyForm() {
  const form = new FormData();
  form.set("mode", "staged");
  form.set("note", "héllo\r\nworld");
  form.set("file", new File([TRICKY], "data.csv", { type: "text/csv" }));
  form.set("after", "ignored");
  return await serialize(form);
}

function checkTricky(file: MultipartFile, content: Uint8Array): void {
  assertEquals(content, TRICKY);
  assertEquals(file.fileName, "data.csv");
  assertEquals(file.contentType, "text/csv");
  assertEquals(file.fields, { mode: "staged", note: "héllo\r\nworld" });
}

test("multipart: a FormData body round-trips the file byte-exact, with fields before it", async () => {
  const { bytes, contentType } = await trickyForm();
  const meter = metered(pieces(bytes, []), 1 << 16);
  const file = await readMultipartFile(meter.stream, contentType);
  checkTricky(file, await readAll(file.stream));
  // The field after the file is not collected, but the body is still read to its end.
  await meter.ended;
  assertEquals(meter.pulled, bytes.length);
});

test("multipart: the boundary may fall anywhere across chunks", async () => {
  const { bytes, contentType } = await trickyForm();
  for (let i = 1; i < bytes.length; i++) {
    const file = await readMultipartFile(pieces(bytes, [i]), contentType);
    checkTricky(file, await readAll(file.stream));
    // Three pieces, with the middle one shorter than the boundary.
    for (const width of [1, 2, 5, 17, 33]) {
      if (i + width >= bytes.length) continue;
      const file = await readMultipartFile(pieces(bytes, [i, i + width]), contentType);
      checkTricky(file, await readAll(file.stream));
    }
  }
});

test("multipart: 1-byte chunks", async () => {
  const { bytes, contentType } = await trickyForm();
  const file = await readMultipartFile(chunked(bytes, 1), contentType);
  checkTricky(file, await readAll(file.stream));
});

test("multipart: near-misses of the boundary stay in the file", async () => {
  const content = concat(
    "--boundary\r\n", // at the very start: the CR LF before it belongs to the part's headers
    "x\n--boundary\r\n", // LF only
    "y\r--boundary\r\n", // CR only
    "z\r\n-boundary\r\n", // one dash
    "a\r\n--boundar\r\n", // the boundary less its last byte
    "\r\n--boundar",
  );
  const body = concat(
    "--boundary\r\n",
    'Content-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n',
    content,
    "\r\n--boundary--\r\n",
  );
  for (let i = 1; i < body.length; i++) {
    const file = await readMultipartFile(
      pieces(body, [i]),
      'multipart/form-data; boundary="boundary"',
    );
    assertEquals(await readAll(file.stream), content);
  }
});

test("multipart: a large body streams through without being buffered", async () => {
  const size = 20 * 1024 * 1024;
  const content = new Uint8Array(size);
  let seed = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    // Mostly CSV-like text with CRLFs and dashes, so near-misses of the boundary are frequent.
    const r = seed & 0xff;
    content[i] = r < 8 ? 13 : r < 16 ? 10 : r < 40 ? 45 : 48 + (r % 43);
  }
  const form = new FormData();
  form.set("mode", "staged");
  form.set("file", new File([content], "big.csv", { type: "text/csv" }));
  form.set("after", "ignored");
  const req = new Request("http://localhost/upload", { method: "POST", body: form });
  const chunkSize = 64 * 1024;
  const meter = metered(req.body!, chunkSize);

  const file = await readMultipartFile(meter.stream, req.headers.get("content-type")!);
  assertEquals(file.fields, { mode: "staged" });
  const reader = file.stream.getReader();
  const hash = createHash("sha256");
  let delivered = 0;
  let maxHeld = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    if (delivered === 0) {
      // The first file bytes arrive after a single chunk of the body.
      assert(meter.pulled <= chunkSize, `pulled ${meter.pulled} bytes before the first chunk`);
    }
    delivered += value.length;
    hash.update(value);
    maxHeld = Math.max(maxHeld, meter.pulled - delivered);
  }
  assertEquals(delivered, size);
  assertEquals(hash.digest("hex"), createHash("sha256").update(content).digest("hex"));
  // Pulled but not yet handed on: the part headers plus at most a partial boundary.
  assert(maxHeld < 1024, `held ${maxHeld} bytes`);
  await meter.ended;
});

test("multipart: file names lose their path and keep UTF-8", async () => {
  for (
    const [sent, expected] of [
      ["C:\\fakepath\\x.csv", "x.csv"],
      ["/home/ana/exports/Données 2024.csv", "Données 2024.csv"],
      ['quote"d\nname.csv', 'quote"d\nname.csv'], // sent as %22 and %0A
      ["日本語.csv", "日本語.csv"],
    ]
  ) {
    const form = new FormData();
    form.set("file", new File(["a\r\n"], sent, { type: "text/csv" }));
    const { bytes, contentType } = await serialize(form);
    const file = await readMultipartFile(pieces(bytes, []), contentType);
    assertEquals(file.fileName, expected);
    assertEquals(await readAll(file.stream), encoder.encode("a\r\n"));
  }
});

test("multipart: filename*= wins, and a file part without a filename is still the file", async () => {
  const body = concat(
    "--b\r\n",
    'Content-Disposition: form-data; name="file"; filename="fallback.csv"; ',
    "filename*=UTF-8''na%C3%AFve%20list.csv\r\n\r\n",
    "a\r\n",
    "\r\n--b--",
  );
  const file = await readMultipartFile(pieces(body, []), "multipart/form-data; boundary=b");
  assertEquals(file.fileName, "naïve list.csv");
  assertEquals(file.contentType, null);
  await readAll(file.stream);

  // `curl -F 'file=<data.csv'` sends the content as a plain field.
  const plain = concat(
    "--b\r\nContent-Disposition: form-data; name=file\r\n\r\n",
    "a,b\r\n",
    "\r\n--b--\r\n",
  );
  const part = await readMultipartFile(pieces(plain, []), "multipart/form-data; boundary=b");
  assertEquals(part.fileName, null);
  assertEquals(await readAll(part.stream), encoder.encode("a,b\r\n"));
});

test("multipart: no file field, or an empty file input, is a bad request", async () => {
  const noFile = new FormData();
  noFile.set("mode", "staged");
  noFile.set("attachment", new File(["x"], "x.csv"));
  const empty = new FormData();
  empty.set("mode", "staged");
  empty.set("file", new File([], ""));
  for (const form of [noFile, empty]) {
    const { bytes, contentType } = await serialize(form);
    const meter = metered(pieces(bytes, []), 7);
    const err = await assertRejects(() => readMultipartFile(meter.stream, contentType));
    assert(isIngestError(err, "bad_request"));
    assertEquals(err.message, 'No file was uploaded: expected a form field "file"');
    await meter.ended;
  }
});

test("multipart: an empty file with a name is returned, empty", async () => {
  const form = new FormData();
  form.set("file", new File([], "empty.csv", { type: "text/csv" }));
  const { bytes, contentType } = await serialize(form);
  const file = await readMultipartFile(pieces(bytes, []), contentType);
  assertEquals(file.fileName, "empty.csv");
  assertEquals(await readAll(file.stream), new Uint8Array(0));
});

test("multipart: a truncated body errors the file stream", async () => {
  const { bytes, contentType } = await trickyForm();
  const end = indexOf(bytes, TRICKY) + TRICKY.length; // just before the delimiter
  for (const cut of [end - 10, end, end + 3]) {
    const file = await readMultipartFile(chunked(bytes.slice(0, cut), 16), contentType);
    const err = await assertRejects(() => readAll(file.stream));
    assertBadRequest(err, "The upload was cut off");
  }
  // Cut before the file part begins: nothing to return.
  const err = await assertRejects(() =>
    readMultipartFile(pieces(bytes.slice(0, 60), []), contentType)
  );
  assertBadRequest(err, "The upload was cut off");
});

test("multipart: a failing body fails the file stream with its own error", async () => {
  const { bytes, contentType } = await trickyForm();
  const failure = new IngestError("file_too_large", "Too large");
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(failure);
      controller.enqueue(bytes.slice(0, indexOf(bytes, TRICKY) + 10));
      sent = true;
    },
  });
  const file = await readMultipartFile(body, contentType);
  assertEquals(await assertRejects(() => readAll(file.stream)), failure);
});

test("multipart: cancelling the file stream cancels the body", async () => {
  const { bytes, contentType } = await trickyForm();
  const meter = metered(pieces(bytes, []), 16);
  const file = await readMultipartFile(meter.stream, contentType);
  await file.stream.cancel("client went away");
  assertEquals(meter.cancelled, "client went away");
});

test("multipart: the boundary comes from the Content-Type, quoted or not", async () => {
  const body = concat(
    "preamble, ignored\r\n--a b\r\n",
    'Content-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n',
    "x",
    "\r\n--a b--\r\nepilogue",
  );
  const file = await readMultipartFile(pieces(body, []), 'multipart/form-data; boundary="a b"');
  assertEquals(await readAll(file.stream), encoder.encode("x"));

  for (const type of ["multipart/form-data", "multipart/form-data; boundary=", "text/csv"]) {
    const err = await assertRejects(() => readMultipartFile(pieces(body, []), type));
    assertBadRequest(err, "The multipart request has no valid boundary");
  }
});

test("multipart: oversized headers, fields and field counts are bad requests", async () => {
  const type = "multipart/form-data; boundary=b";
  const cases: [Uint8Array, string][] = [
    [
      concat('--b\r\nContent-Disposition: form-data; name="file"\r\nX: ', "y".repeat(20000)),
      "The headers of a form part are longer than 16 KiB",
    ],
    [
      concat('--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n', "y".repeat(70000)),
      'The form field "note" is longer than 64 KiB',
    ],
    [
      concat('--b\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n'.repeat(101)),
      "The form has more than 100 fields",
    ],
  ];
  for (const [body, message] of cases) {
    const err = await assertRejects(() => readMultipartFile(chunked(body, 1000), type));
    assertBadRequest(err, message);
  }
  // Exactly at the limits is fine.
  const atLimit = concat(
    '--b\r\nContent-Disposition: form-data; name="note"\r\n\r\n',
    "y".repeat(64 * 1024),
    '\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nx\r\n--b--',
  );
  const file = await readMultipartFile(chunked(atLimit, 1000), type);
  assertEquals(file.fields.note.length, 64 * 1024);
  assertEquals(await readAll(file.stream), encoder.encode("x"));
});
