import { assertEquals } from "./assert.ts";
import { appTest } from "./app_harness.ts";

appTest("GET /health reports the database and 503 once it is gone", async (app) => {
  const ok = await app.fetch("/health");
  assertEquals(ok.status, 200);
  const body = await ok.json();
  assertEquals(body.status, "ok");
  assertEquals(body.database.status, "up");
  assertEquals(body.database.kind, app.db.kind);
  assertEquals(typeof body.database.latencyMs, "number");

  await app.db.close();
  const down = await app.fetch("/health");
  assertEquals(down.status, 503);
  const downBody = await down.json();
  assertEquals(downBody.status, "unavailable");
  assertEquals(downBody.database.status, "down");
});
