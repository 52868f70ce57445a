/**
 * `INTAKE_MAX_CONCURRENT_UPLOADS`: with the cap's uploads held open (bodies that have not
 * finished arriving), the next upload and inspection, and a burst of 16 at once, answer
 * `503 server_busy` with `Retry-After`; the server stays up, and once the held uploads finish a
 * new one is accepted.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";
import { FACILITIES } from "./api/fixtures.ts";
import { pollUntil } from "./poll.ts";

const CAP = 2;
const [HEADER, ...ROWS] = FACILITIES.split(/(?<=\n)/);

/** An upload whose body arrives only as far as its header line until `finish()` is called. */
function heldUpload(app: TestApp): { answer: Promise<Response>; finish(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(new TextEncoder().encode(HEADER));
    },
  });
  const answer = app.fetch("/api/v1/uploads/facilities?mode=staged", {
    method: "POST",
    body,
    headers: { "content-type": "text/csv" },
  });
  return {
    answer,
    finish() {
      controller.enqueue(new TextEncoder().encode(ROWS.join("")));
      controller.close();
    },
  };
}

async function expectBusy(res: Response): Promise<void> {
  const body = await res.json();
  assertEquals([res.status, body.error.type], [503, "server_busy"], JSON.stringify(body));
  assertEquals(res.headers.get("retry-after"), String(body.error.details.retryAfterSeconds));
  assert(Number(res.headers.get("retry-after")) > 0);
}

appTest("uploads past INTAKE_MAX_CONCURRENT_UPLOADS answer 503 with Retry-After", async (app) => {
  const slots = app.services.uploadSlots;
  const held = Array.from({ length: CAP }, () => heldUpload(app));
  try {
    await pollUntil(
      "the held uploads to take every slot",
      () => slots.inUse === CAP ? true : undefined,
      { everyMs: 10 },
    );

    await expectBusy(await app.upload("facilities", FACILITIES, { mode: "staged" }));
    const form = new FormData();
    form.set("file", new File([FACILITIES], "f.csv", { type: "text/csv" }));
    await expectBusy(
      await app.fetch("/api/v1/upload-types/facilities/inspect", { method: "POST", body: form }),
    );
    const burst = await Promise.all(
      Array.from({ length: 16 }, () => app.upload("facilities", FACILITIES, { mode: "staged" })),
    );
    for (const res of burst) await expectBusy(res);
    const health = await app.fetch("/health");
    assertEquals(health.status, 200);
    await health.body?.cancel();
  } finally {
    // Also when an assertion failed: a body left open would hold the app's shutdown forever.
    for (const upload of held) upload.finish();
  }
  for (const upload of held) {
    const res = await upload.answer;
    assertEquals(res.status, 201);
    await res.body?.cancel();
  }
  await pollUntil("the slots to be given back", () => slots.inUse === 0 ? true : undefined);
  const after = await app.upload("facilities", FACILITIES, { mode: "staged" });
  assertEquals(after.status, 201);
  await after.body?.cancel();
  assertEquals(slots.inUse, 0);
}, { INTAKE_MAX_CONCURRENT_UPLOADS: String(CAP) });
