import { assertEquals } from "../../tests/assert.ts";
import { redact, REDACTED, redactText } from "./redact.ts";

Deno.test("redactText() masks URL passwords, bearer tokens and key=value passwords", () => {
  assertEquals(
    redactText("connect postgres://intake:s3cr%40t@db.internal:5432/intake failed"),
    `connect postgres://intake:${REDACTED}@db.internal:5432/intake failed`,
  );
  assertEquals(
    redactText("Authorization: Bearer eyJhbGciOi.J9.x-y_z"),
    `Authorization: Bearer ${REDACTED}`,
  );
  assertEquals(redactText("basic dXNlcjpwYXNz"), `basic ${REDACTED}`);
  assertEquals(
    redactText("host=db user=app password='two words' dbname=x"),
    `host=db user=app password=${REDACTED} dbname=x`,
  );
  // Nothing secret: unchanged.
  assertEquals(redactText("GET /api/v1/runs/42 took 3 ms"), "GET /api/v1/runs/42 took 3 ms");
  assertEquals(redactText("postgres://db.internal/intake"), "postgres://db.internal/intake");
});

Deno.test("redact() replaces secret fields at any depth and cleans strings", () => {
  const input = {
    msg: "ok",
    headers: { Authorization: "Bearer abc", cookie: "sid=1", "x-api-key": "k", accept: "*/*" },
    databaseUrl: "postgres://u:pw@h/db",
    nested: [{ password: "p" }, { sessionId: "s" }, 3, null],
    error: new Error("login to postgresql://u:pw@h failed"),
  };
  assertEquals(redact(input), {
    msg: "ok",
    headers: { Authorization: REDACTED, cookie: REDACTED, "x-api-key": REDACTED, accept: "*/*" },
    databaseUrl: `postgres://u:${REDACTED}@h/db`,
    nested: [{ password: REDACTED }, { sessionId: REDACTED }, 3, null],
    error: `Error: login to postgresql://u:${REDACTED}@h failed`,
  });
});
