import { IngestError } from "../../../core/errors.ts";
import type { Store } from "../../../core/ports.ts";
import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import { fenceStore } from "./fenced_store.ts";

/** The slice of a store the fence is tried on: one slow write it can watch. */
function slowStore() {
  const writes: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const store = {
    async reportProgress(id: string) {
      await gate;
      writes.push(id);
    },
    touchRun(id: string) {
      writes.push(`touch ${id}`);
      return Promise.resolve();
    },
  } as unknown as Store;
  return { store, writes, release };
}

Deno.test("fenceStore() passes calls through until closed, then refuses them with interrupted", async () => {
  const { store, writes, release } = slowStore();
  const fence = fenceStore(store, "run-1");
  await fence.store.touchRun("a");
  const slow = fence.store.reportProgress("b", { bytes: 0, rows: 0 });
  const closing = fence.close(5000);
  assert(fence.closed);
  const refused = await assertRejects(() => fence.store.touchRun("c"));
  assert(refused instanceof IngestError && refused.type === "interrupted", String(refused));
  assertEquals(refused.details, { runId: "run-1" });
  release();
  await slow;
  assertEquals(await closing, true, "drained once the call under way settled");
  assertEquals(writes, ["touch a", "b"]);
});

Deno.test("fenceStore() close() says when a call under way outlasts the timeout", async () => {
  const { store, release } = slowStore();
  const fence = fenceStore(store, "run-2");
  const slow = fence.store.reportProgress("b", { bytes: 0, rows: 0 });
  assertEquals(await fence.close(10), false);
  release();
  await slow;
});
