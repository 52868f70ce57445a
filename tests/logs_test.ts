/**
 * The server's logs as an operator sees them: `main.ts` in a subprocess, every stderr line parsed
 * as JSON, no cell value or credential anywhere in them.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { FACILITIES, FACILITIES_CHANGES } from "./api/fixtures.ts";
import { startServer } from "./server_process.ts";

const TOKEN = "s3cr3t-t0ken-4711";
const COOKIE = "sid=c00kie-value-0815";
// Cell values only the uploaded files hold.
const CELLS = [
  "North Plant",
  "South Plant II",
  "West Depot",
  "Duplicate Depot",
  "bad-id",
  "Surrey",
];

type Line = Record<string, unknown>;

/** Starts main.ts on a free port with an empty data directory; resolves once it is ready. */
async function startLoggingServer(env: Record<string, string>) {
  const dataDir = await Deno.makeTempDir({ prefix: "intake-logs-" });
  const server = await startServer({ DATABASE_URL: "", INTAKE_DATA_DIR: dataDir, ...env });
  return {
    url: server.url,
    /** Stops the server with SIGTERM and returns everything it wrote to stderr. */
    async stop(): Promise<string> {
      assertEquals(await server.stop("SIGTERM"), 0);
      await Deno.remove(dataDir, { recursive: true });
      return server.stderr();
    },
  };
}

/** Parses every line of `stderr` as JSON, failing on the first line that is not. */
function parseLines(stderr: string): Line[] {
  return stderr.split("\n").filter((l) => l !== "").map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`Not a JSON log line: ${l}`);
    }
  });
}

function upload(url: string, csv: string): Promise<Response> {
  const form = new FormData();
  form.set("file", new File([csv], "facilities.csv", { type: "text/csv" }));
  return fetch(`${url}/api/v1/uploads/facilities?mode=direct`, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${TOKEN}`, cookie: COOKIE },
  });
}

Deno.test({
  name: "main.ts logs one JSON object per line: access lines, run lifecycle, no secrets or cells",
  ignore: Deno.build.os === "windows",
  async fn() {
    // Deno's built-in OpenTelemetry gives requests a span (the exporter's endpoint is closed).
    const server = await startLoggingServer({
      LOG_LEVEL: "info",
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
    });
    let committed: { id: string };
    let failedId: string;
    try {
      for (const path of ["/health", "/health/ready", "/metrics"]) {
        assertEquals((await fetch(server.url + path)).status, 200);
      }
      const ok = await upload(server.url, FACILITIES);
      committed = await ok.json();
      assertEquals(ok.status, 201, JSON.stringify(committed));
      const bad = await upload(server.url, FACILITIES_CHANGES);
      failedId = (await bad.json()).error.details.runId;
      assertEquals(bad.status, 422);
      await (await fetch(`${server.url}/api/v1/runs/${failedId}`)).body?.cancel();
    } catch (err) {
      await server.stop().catch(() => {});
      throw err;
    }
    const stderr = await server.stop();
    const lines = parseLines(stderr);
    for (const line of lines) {
      assertMatch(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert(["info", "warn", "error"].includes(String(line.level)), JSON.stringify(line));
      assertEquals(typeof line.msg, "string");
    }
    assert(lines.some((l) => l.msg === "intake started"));

    const access = lines.filter((l) => l.msg === "request");
    // Probes and scrapes log at debug, below LOG_LEVEL=info.
    assertEquals(access.map((l) => `${l.method} ${l.route} ${l.status}`), [
      "POST /api/v1/uploads/:type 201",
      "POST /api/v1/uploads/:type 422",
      "GET /api/v1/runs/:id 200",
    ]);
    assertEquals(access.map((l) => l.run_id), [committed.id, failedId, failedId]);
    for (const l of access) {
      assert(typeof l.duration_ms === "number" && l.duration_ms >= 0, JSON.stringify(l));
      assertMatch(String(l.trace_id), /^[0-9a-f]{32}$/);
      assertMatch(String(l.span_id), /^[0-9a-f]{16}$/);
    }

    const lifecycle = (id: string) =>
      lines.filter((l) => l.run_id === id && String(l.msg).startsWith("run "));
    assertEquals(lifecycle(committed.id).map((l) => l.msg), ["run created", "run committed"]);
    assertEquals(lifecycle(failedId).map((l) => l.msg), ["run created", "run failed"]);
    const failed = lifecycle(failedId)[1];
    assertEquals([failed.error_type, failed.upload_type], ["validation_error", "facilities"]);
    // The run's lines belong to the trace of the request that uploaded it.
    assertEquals(failed.trace_id, access[1].trace_id);

    for (const secret of [TOKEN, COOKIE, "c00kie", ...CELLS]) {
      assertEquals(stderr.includes(secret), false, `"${secret}" appears in the logs`);
    }
  },
});
