import { assertEquals, assertRejects } from "../tests/assert.ts";
import type { Run } from "../core/runs/run.ts";
import type { Page, RunQuery } from "../core/ports.ts";
import { LastRuns } from "./last_runs.ts";

/** A store whose newest run per type the test sets, counting the queries it answers. */
function fakeStore() {
  const newest = new Map<string, Run>();
  const queries: RunQuery[] = [];
  let failing = false;
  return {
    newest,
    queries,
    fail(on: boolean) {
      failing = on;
    },
    listRuns(query: RunQuery): Promise<Page<Run>> {
      queries.push(query);
      if (failing) return Promise.reject(new Error("database down"));
      const run = newest.get(`${query.uploadType}/${query.actor ?? "*"}`);
      return Promise.resolve({ items: run ? [run] : [], nextCursor: null });
    },
  };
}

const run = (id: string) => ({ id, status: "committed" }) as Run;

Deno.test("LastRuns asks the database once per TTL, per type and actor", async () => {
  const store = fakeStore();
  let now = 0;
  const runs = new LastRuns(store, 1000, () => now);
  store.newest.set("facilities/*", run("a"));
  store.newest.set("facilities/ulla", run("u"));
  const together = await Promise.all([1, 2, 3].map(() => runs.get("facilities", undefined)));
  assertEquals(together.map((r) => r?.id), ["a", "a", "a"]);
  assertEquals(store.queries.length, 1, "concurrent requests share one query");
  assertEquals((await runs.get("facilities", "ulla"))?.id, "u", "an actor never sees another's");
  assertEquals(await runs.get("emissions", undefined), null);
  assertEquals(store.queries.length, 3);
  store.newest.set("facilities/*", run("b"));
  now = 999;
  assertEquals((await runs.get("facilities", undefined))?.id, "a");
  now = 1000;
  assertEquals((await runs.get("facilities", undefined))?.id, "b", "re-read after the TTL");
});

Deno.test("LastRuns answers anew at once after invalidate()", async () => {
  const store = fakeStore();
  const runs = new LastRuns(store, 60_000, () => 0);
  assertEquals(await runs.get("facilities", undefined), null);
  store.newest.set("facilities/*", run("new"));
  runs.invalidate();
  assertEquals((await runs.get("facilities", undefined))?.id, "new");
});

Deno.test("LastRuns does not keep a failed read", async () => {
  const store = fakeStore();
  const runs = new LastRuns(store, 60_000, () => 0);
  store.fail(true);
  const err = await assertRejects(() => runs.get("facilities", undefined));
  assertEquals((err as Error).message, "database down");
  store.fail(false);
  store.newest.set("facilities/*", run("a"));
  assertEquals((await runs.get("facilities", undefined))?.id, "a");
});
