import { assertEquals } from "../tests/assert.ts";
import { checkReadiness, workerCheck, type WorkerProbe } from "./readiness.ts";

Deno.test("checkReadiness() fails checks that throw or never answer, naming them in order", async () => {
  const never = new Promise<never>(() => {});
  const readiness = await checkReadiness([
    { name: "fine", run: () => Promise.resolve({ ok: true, status: "up" }) },
    { name: "hung", run: () => never },
    {
      name: "broken",
      run: () => Promise.reject(new Error("cannot reach postgres://app:hunter2@db/intake")),
    },
    { name: "low", run: () => Promise.resolve({ ok: false, status: "backlogged", depth: 9 }) },
  ], 20);
  assertEquals(readiness.ready, false);
  assertEquals(readiness.failing, ["hung", "broken", "low"]);
  assertEquals(readiness.checks, {
    fine: { ok: true, status: "up" },
    hung: { ok: false, status: "error", error: "No answer within 20 ms" },
    broken: {
      ok: false,
      status: "error",
      error: "cannot reach postgres://app:[redacted]@db/intake",
    },
    low: { ok: false, status: "backlogged", depth: 9 },
  });
});

Deno.test("workerCheck() is ready without a worker and follows the worker once there is one", async () => {
  const services: { worker?: WorkerProbe } = {};
  const check = workerCheck(() => services.worker);
  assertEquals(await check.run(), { ok: true, status: "not_configured" });
  services.worker = { status: () => ({ running: false }) };
  assertEquals(await check.run(), { ok: false, status: "stopped" });
  assertEquals((await checkReadiness([check])).failing, ["worker"]);
});
