/**
 * A malformed `Host` header, sent over a real socket (`fetch` will not send one): a typed `400`
 * JSON error with the security headers and JSON log lines, not Deno's plain-text 500 with a stack
 * trace on stderr.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { appTest } from "./app_harness.ts";
import { rawRequest } from "./raw_http.ts";

appTest("a malformed Host header is a typed 400 with security headers", async (app) => {
  const port = Number(new URL(app.url).port);
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void logged.push(args);
  try {
    for (const host of ["a b", "x:y:z", "127.0.0.1:99999"]) {
      const res = await rawRequest(port, `GET /runs HTTP/1.1\r\nHost: ${host}`);
      assertEquals(res.status, 400, host);
      assert(res.headers.get("content-type")?.startsWith("application/json"), host);
      assert(res.headers.get("content-security-policy"), `${host}: no security headers`);
      assertEquals(res.headers.get("x-content-type-options"), "nosniff");
      const { error } = JSON.parse(res.body);
      assertEquals(error.type, "bad_request", host);
      assert(error.message.includes("Host header"), error.message);
    }
  } finally {
    console.error = original;
  }
  assert(logged.length > 0, "the refusals were not logged");
  for (const args of logged) {
    assertEquals(args.length, 1, `not one JSON line: ${args.map(String).join(" ")}`);
    const line = JSON.parse(String(args[0]));
    assertEquals([line.level, line.msg], ["warn", "request refused"]);
  }
  // The server is still up and answers a good request.
  const ok = await rawRequest(port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}`);
  assertEquals(ok.status, 200);
}, { LOG_LEVEL: "warn" });
