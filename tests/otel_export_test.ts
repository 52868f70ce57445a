/**
 * The traces an operator's collector receives: the real server (`main.ts`) runs as a subprocess
 * with Deno's built-in OpenTelemetry (`OTEL_DENO=true`) exporting OTLP/HTTP JSON to a loopback
 * receiver in this test. Spans are only delivered by the flush when the server stops on SIGTERM
 * (the batch delay is far longer than the test), so the test also proves a clean shutdown flushes.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { databaseTargets } from "./db_harness.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const CLEAN = await Deno.readFile(new URL("../examples/facilities_clean.csv", import.meta.url));
const MISSING_COLUMN = await Deno.readFile(
  new URL("../examples/emissions_missing_column.csv", import.meta.url),
);

// OTLP span kinds and status codes (opentelemetry-proto trace.proto).
const SERVER = 2;
const UNSET = 0;
const ERROR = 2;

type Value = string | number | boolean;

/** One exported span, its attributes flattened from OTLP JSON's typed values. */
interface ExportedSpan {
  scope: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  status: { code: number; message: string };
  attributes: Record<string, Value>;
  events: Array<{ name: string; attributes: Record<string, Value> }>;
}

interface OtlpKeyValue {
  key: string;
  value: {
    stringValue?: string;
    boolValue?: boolean;
    intValue?: string | number;
    doubleValue?: number;
  };
}

function attributes(list: OtlpKeyValue[] = []): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const { key, value } of list) {
    out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ??
      Number(value.intValue);
  }
  return out;
}

/** A loopback OTLP/HTTP receiver keeping every span posted to `/v1/traces`. */
function otlpReceiver() {
  const spans: ExportedSpan[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.text();
    // Logs and metrics arrive too (Deno exports them with OTEL_DENO=true); only traces matter.
    if (new URL(req.url).pathname === "/v1/traces") {
      assertMatch(req.headers.get("content-type") ?? "", /^application\/json/);
      for (const resource of JSON.parse(body).resourceSpans) {
        for (const scope of resource.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({
              scope: scope.scope.name,
              name: span.name,
              kind: span.kind,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ?? "",
              status: { code: span.status?.code ?? UNSET, message: span.status?.message ?? "" },
              attributes: attributes(span.attributes),
              events: (span.events ?? []).map((
                e: { name: string; attributes: OtlpKeyValue[] },
              ) => ({
                name: e.name,
                attributes: attributes(e.attributes),
              })),
            });
          }
        }
      }
    }
    return Response.json({});
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    spans,
    close: () => server.shutdown(),
  };
}

/** The environment of the server: ours, minus anything that would redirect or change it. */
function serverEnv(overrides: Record<string, string>): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) {
    if (/^(OTEL_|INTAKE_)|^(DATABASE_URL|TRACE_URL_TEMPLATE|PORT|HOSTNAME)$/.test(name)) {
      delete env[name];
    }
  }
  return { ...env, ...overrides };
}

/** Starts `main.ts` and resolves with its URL once it prints the ready line. */
async function startServer(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN],
    cwd: ROOT,
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let ready: RegExpExecArray | null = null;
  while (!ready) {
    const { value, done } = await lines.read();
    if (done) break;
    out += value;
    ready = /Fresh ready: (http:\/\/[^/\s]+)\//.exec(out);
  }
  if (!ready) {
    await child.status;
    throw new Error(`The server did not start:\n${out}\n${await stderr}`);
  }
  const rest = (async () => {
    for (let r = await lines.read(); !r.done; r = await lines.read()) out += r.value;
  })();
  return {
    url: ready[1],
    /** Sends SIGTERM and waits for the process to end. */
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      await rest;
      return { code: status.code, stdout: out, stderr: await stderr };
    },
  };
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An incoming W3C trace context, as a client or a proxy in front of Intake would send. */
function incoming() {
  const traceId = randomHex(16);
  const spanId = randomHex(8);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

function upload(url: string, type: string, file: Uint8Array<ArrayBuffer>, headers: HeadersInit) {
  const form = new FormData();
  form.set("file", new File([file], `${type}.csv`, { type: "text/csv" }));
  return fetch(`${url}/api/v1/uploads/${type}?mode=direct`, {
    method: "POST",
    body: form,
    headers,
  });
}

function only(spans: ExportedSpan[], name: string): ExportedSpan {
  const found = spans.filter((s) => s.name === name);
  assertEquals(found.length, 1, `one ${name} span, got ${found.length}`);
  return found[0];
}

function pick(span: ExportedSpan, names: string[]): Record<string, Value | undefined> {
  return Object.fromEntries(names.map((name) => [name, span.attributes[name]]));
}

const STAGES = [
  "ingest.commit",
  "ingest.decode",
  "ingest.map_headers",
  "ingest.parse",
  "ingest.receive",
  "ingest.stage",
  "ingest.validate",
];

type Incoming = ReturnType<typeof incoming>;

/**
 * Runs the server, uploads a clean file (answered `202`, processed in the background) and one
 * missing a column, each with its own incoming `traceparent`; stops the server and returns what
 * the receiver got and the clean run's id.
 */
async function uploadTraced(databaseUrl: string, clean: Incoming, failing: Incoming) {
  const receiver = otlpReceiver();
  const dataDir = await Deno.makeTempDir({ prefix: "intake_otel_" });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await startServer(serverEnv({
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      INTAKE_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      NO_COLOR: "1",
      OTEL_DENO: "true",
      OTEL_SERVICE_NAME: "intake-test",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "600000",
    }));

    // Answered before processing ends, so stage and commit run after the 202: the background
    // part must still be in the request's trace.
    const accepted = await upload(server.url, "facilities", CLEAN, {
      traceparent: clean.traceparent,
      prefer: "respond-async",
    });
    assertEquals(accepted.status, 202);
    const cleanRun: { id: string } = await accepted.json();
    const refused = await upload(server.url, "emissions", MISSING_COLUMN, {
      traceparent: failing.traceparent,
    });
    assertEquals(refused.status, 422);
    const { error } = await refused.json();
    assertEquals(error.type, "header_error");

    const pairs: Array<[string, Incoming]> = [[cleanRun.id, clean], [error.details.runId, failing]];
    for (const [id, expected] of pairs) {
      const stored: { traceId: string | null } =
        await (await fetch(`${server.url}/api/v1/runs/${id}`))
          .json();
      assertEquals(stored.traceId, expected.traceId, "the run stores the exported trace id");
    }
    const stopped = await server.stop();
    server = undefined;
    assertEquals(stopped.code, 0, stopped.stderr);
    return { spans: receiver.spans, cleanRunId: cleanRun.id };
  } finally {
    await server?.stop();
    await receiver.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function exportsOneTracePerUpload(databaseUrl: string): Promise<void> {
  const clean = incoming();
  const failing = incoming();
  const { spans, cleanRunId } = await uploadTraced(databaseUrl, clean, failing);
  // The clean upload: HTTP server span -> ingest.run -> one span per stage, nothing else.
  const ok = spans.filter((s) => s.traceId === clean.traceId);
  const http = ok.find((s) => s.kind === SERVER);
  assert(http, `an HTTP server span in the trace, got ${ok.map((s) => s.name)}`);
  assertEquals(http.parentSpanId, clean.spanId, "the incoming traceparent is the parent");
  assertEquals(http.name, "POST /api/v1/uploads/:type", "named for the route, not the URL");
  assertEquals(pick(http, ["http.request.method", "http.route", "url.path"]), {
    "http.request.method": "POST",
    "http.route": "/api/v1/uploads/:type",
    "url.path": "/api/v1/uploads/facilities",
  });
  assertEquals(String(http.attributes["http.response.status_code"]), "202");
  const run = only(ok, "ingest.run");
  assertEquals(run.parentSpanId, http.spanId);
  const stages = ok.filter((s) => s.parentSpanId === run.spanId);
  assertEquals(stages.map((s) => s.name).sort(), STAGES);
  assertEquals(ok.length, 2 + STAGES.length, "no other spans in the upload's trace");
  for (const span of [run, ...stages]) {
    assertEquals(span.scope, "intake.ingest");
    assertEquals(span.status.code, UNSET, `${span.name} is not an error`);
    assertEquals(pick(span, ["ingest.upload_type", "ingest.run_id", "ingest.mode"]), {
      "ingest.upload_type": "facilities",
      "ingest.run_id": cleanRunId,
      "ingest.mode": "direct",
    });
  }
  const stage = (name: string) => only(stages, name);
  assertEquals(stage("ingest.receive").attributes["ingest.bytes"], CLEAN.length);
  assertEquals(stage("ingest.decode").attributes["ingest.bytes"], CLEAN.length);
  assertEquals(pick(stage("ingest.parse"), ["ingest.bytes", "ingest.rows"]), {
    "ingest.bytes": CLEAN.length,
    "ingest.rows": 21,
  });
  assertEquals(pick(stage("ingest.map_headers"), ["ingest.columns", "ingest.ignored_columns"]), {
    "ingest.columns": 7,
    "ingest.ignored_columns": 0,
  });
  assertEquals(pick(stage("ingest.validate"), ["ingest.rows", "ingest.invalid_rows"]), {
    "ingest.rows": 20,
    "ingest.invalid_rows": 0,
  });
  assertEquals(
    pick(stage("ingest.stage"), ["ingest.rows", "ingest.new_rows", "ingest.changed_rows"]),
    { "ingest.rows": 20, "ingest.new_rows": 20, "ingest.changed_rows": 0 },
  );
  assertEquals(stage("ingest.commit").attributes["ingest.rows"], 20);
  assertEquals(pick(run, ["ingest.status", "ingest.rows", "ingest.bytes", "ingest.file_name"]), {
    "ingest.status": "committed",
    "ingest.rows": 20,
    "ingest.bytes": CLEAN.length,
    "ingest.file_name": "facilities.csv",
  });

  // The refused upload: ERROR on the stage that failed and on the run; the stages that
  // overlapped it are marked aborted; later stages never started.
  const bad = spans.filter((s) => s.traceId === failing.traceId);
  const badHttp = bad.find((s) => s.kind === SERVER);
  assert(badHttp, "an HTTP server span in the failing upload's trace");
  assertEquals(badHttp.parentSpanId, failing.spanId);
  assertEquals(String(badHttp.attributes["http.response.status_code"]), "422");
  const badRun = only(bad, "ingest.run");
  assertEquals(badRun.parentSpanId, badHttp.spanId);
  assertEquals(badRun.status.code, ERROR);
  assertEquals(badRun.attributes["ingest.error_type"], "header_error");
  const badStages = bad.filter((s) => s.parentSpanId === badRun.spanId);
  assertEquals(badStages.map((s) => s.name).sort(), [
    "ingest.decode",
    "ingest.map_headers",
    "ingest.parse",
    "ingest.receive",
  ]);
  const failed = only(badStages, "ingest.map_headers");
  assertEquals(failed.status.code, ERROR);
  assertMatch(failed.status.message, /missing the required column "amount"/);
  assertEquals(failed.attributes["ingest.error_type"], "header_error");
  assert(
    failed.events.some((e) => e.name === "exception" && e.attributes["exception.type"]),
    "the exception is recorded on the failed stage",
  );
  for (const name of ["ingest.receive", "ingest.decode", "ingest.parse"]) {
    const span = only(badStages, name);
    assertEquals(span.status.code, UNSET, `${name} did not fail`);
    assertEquals(span.attributes["ingest.aborted"], true, `${name} is marked aborted`);
  }
}

for (const target of databaseTargets()) {
  Deno.test({
    name:
      `[${target.name}] the server exports one trace per upload under the caller's traceparent` +
      `${target.ignore ? ` (skipped: ${target.reason})` : ""}`,
    ignore: target.ignore || Deno.build.os === "windows",
    async fn() {
      if (target.name === "pglite") return await exportsOneTracePerUpload("");
      await using db = await target.open();
      await exportsOneTracePerUpload(db.url!);
    },
  });
}
