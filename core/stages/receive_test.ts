import { assert, assertEquals, assertRejects, test } from "../../tests/assert.ts";
import { IngestError, isIngestError } from "../errors.ts";
import { receive } from "./receive.ts";

/** A source that records how far it was read and whether it was cancelled. */
function source(chunks: Uint8Array[]) {
  const state = { pulls: 0, cancelled: undefined as unknown };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulls === chunks.length) return controller.close();
      controller.enqueue(chunks[state.pulls++]);
    },
    cancel(reason) {
      state.cancelled = reason ?? "cancelled";
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

const bytes = (s: string) => new TextEncoder().encode(s);

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

test("receive() passes the bytes through and hashes them (SHA-256 test vectors)", async () => {
  const abc = receive(source([bytes("a"), bytes("bc")]).stream, { maxBytes: 100 });
  assertEquals(await drain(abc.stream), bytes("abc"));
  assertEquals(await abc.stats, {
    bytes: 3,
    sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  });
  const empty = receive(source([]).stream, { maxBytes: 0 });
  assertEquals(await drain(empty.stream), new Uint8Array(0));
  assertEquals(await empty.stats, {
    bytes: 0,
    sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  });
});

test("receive() hashes a long multi-chunk body like crypto.subtle does at once", async () => {
  const body = new Uint8Array(300_000).map((_, k) => (k * 7919) % 251);
  const chunks = [body.subarray(0, 1), body.subarray(1, 65_537), body.subarray(65_537)];
  const received = receive(source(chunks).stream, { maxBytes: body.length });
  await drain(received.stream);
  const expected = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", body)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  assertEquals(await received.stats, { bytes: body.length, sha256: expected });
});

test("receive() accepts exactly maxBytes and refuses maxBytes + 1", async () => {
  const ok = receive(source([bytes("12345"), bytes("67890")]).stream, { maxBytes: 10 });
  await drain(ok.stream);
  assertEquals((await ok.stats).bytes, 10);

  const { stream, state } = source([bytes("12345"), bytes("67890"), bytes("1"), bytes("never")]);
  const tooBig = receive(stream, { maxBytes: 10 });
  const err = await assertRejects(() => drain(tooBig.stream));
  assert(isIngestError(err, "file_too_large"));
  assertEquals(err.details, { maxBytes: 10 });
  assertEquals(await assertRejects(() => tooBig.stats), err);
  // Reading stopped at the chunk that crossed the limit, and the source was cancelled.
  assertEquals(state.pulls, 3);
  assertEquals(state.cancelled, err);
});

test("receive() reports progress after every chunk", async () => {
  const seen: number[] = [];
  const received = receive(source([bytes("ab"), new Uint8Array(0), bytes("cde")]).stream, {
    maxBytes: 10,
    onProgress: (n) => seen.push(n),
  });
  await drain(received.stream);
  assertEquals(seen, [2, 5]);
});

test("receive() stops with cancelled when the signal aborts", async () => {
  const controller = new AbortController();
  const { stream, state } = source([bytes("ab"), bytes("cd"), bytes("ef")]);
  const received = receive(stream, { maxBytes: 10, signal: controller.signal });
  const reader = received.stream.getReader();
  assertEquals((await reader.read()).value, bytes("ab"));
  controller.abort();
  const err = await assertRejects(() => reader.read());
  assert(isIngestError(err, "cancelled"));
  assertEquals(await assertRejects(() => received.stats), err);
  assertEquals(state.cancelled, err);

  const aborted = receive(source([bytes("x")]).stream, {
    maxBytes: 10,
    signal: AbortSignal.abort(),
  });
  assert(isIngestError(await assertRejects(() => drain(aborted.stream)), "cancelled"));
});

test("receive() cancels the body and rejects stats when the reader cancels", async () => {
  const { stream, state } = source([bytes("ab"), bytes("cd")]);
  const received = receive(stream, { maxBytes: 10 });
  const reason = new Error("parse failed");
  await received.stream.cancel(reason);
  assertEquals(await assertRejects(() => received.stats), reason);
  assertEquals(state.cancelled, reason);
  assertEquals((await received.received).complete, false);
});

test("receive() with drain reads the rest after a cancel, for the record", async () => {
  const { stream, state } = source([bytes("ab"), bytes("cd"), bytes("ef")]);
  const received = receive(stream, { maxBytes: 10, drain: true });
  const reader = received.stream.getReader();
  assertEquals((await reader.read()).value, bytes("ab"));
  const reason = new Error("bad header");
  await reader.cancel(reason);
  const all = receive(new Blob(["abcdef"]).stream(), { maxBytes: 10 });
  await drain(all.stream);
  assertEquals(await received.received, {
    bytes: 6,
    sha256: (await all.stats).sha256,
    complete: true,
  });
  assertEquals(state.cancelled, undefined, "read to its end, not cancelled");
  assertEquals(await assertRejects(() => received.stats), reason);

  // Past the limit, or when nothing more arrives, what arrived is recorded as incomplete.
  const big = receive(source([bytes("ab"), bytes("cdefgh"), bytes("ijkl")]).stream, {
    maxBytes: 5,
    drain: true,
  });
  await big.stream.getReader().cancel();
  assertEquals((await big.received).bytes, 8);
  assertEquals((await big.received).complete, false);
  const stalled = receive(
    new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(bytes("ab")) }),
    { maxBytes: 10, drain: true, drainIdleMs: 10 },
  );
  stalled.stop(new Error("stopped"));
  assertEquals([(await stalled.received).bytes, (await stalled.received).complete], [2, false]);
});

test("receive() reports a body that fails to read as cancelled, keeping typed errors", async () => {
  const lost = new TypeError("connection closed before message completed");
  const failing = (reason: unknown) =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(reason);
      },
    });
  const received = receive(failing(lost), { maxBytes: 10 });
  const err = await assertRejects(() => drain(received.stream));
  assert(isIngestError(err, "cancelled"), `unexpected error: ${err}`);
  assertEquals(err.cause, lost);
  assertEquals(await assertRejects(() => received.stats), err);

  const cutOff = new IngestError("bad_request", "The upload was cut off", {});
  const typed = receive(failing(cutOff), { maxBytes: 10 });
  assertEquals(await assertRejects(() => drain(typed.stream)), cutOff);
});

test("receive hashes with the hasher the host passes, fed every chunk in order", async () => {
  const fed: string[] = [];
  const { stream, stats } = receive(source([bytes("ab"), bytes("c")]).stream, {
    maxBytes: 10,
    sha256: () => ({
      update: (chunk) => void fed.push(new TextDecoder().decode(chunk)),
      hex: () => `digest of ${fed.join("|")}`,
    }),
  });
  await new Response(stream).arrayBuffer();
  assertEquals((await stats).sha256, "digest of ab|c");
});
