import { assert, assertEquals, assertMatch, assertThrows } from "./assert.ts";
import { appTest, type TestApp } from "./app_harness.ts";
import { traceUrl } from "../components/trace_link.tsx";
import { loadSettings } from "../server/settings.ts";

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const JAEGER = "http://localhost:16686/trace/{traceId}";

async function runPage(app: TestApp, traceId: string | null): Promise<string> {
  const run = await app.services.store.createRun({
    id: crypto.randomUUID(),
    uploadType: "facilities",
    mode: "staged",
    fileName: "traced.csv",
    contentType: "text/csv",
    actor: null,
    traceId,
  });
  const res = await app.fetch(`/runs/${run.id}`);
  assertEquals(res.status, 200);
  return await res.text();
}

appTest("the run page links the trace id through TRACE_URL_TEMPLATE", async (app) => {
  const html = await runPage(app, TRACE_ID);
  assertMatch(
    html,
    new RegExp(
      `<dt>Trace</dt><dd><a href="http://localhost:16686/trace/${TRACE_ID}" target="_blank" ` +
        `rel="noopener noreferrer"><code>${TRACE_ID}</code></a></dd>`,
    ),
  );
}, { TRACE_URL_TEMPLATE: JAEGER });

appTest("the run page shows the trace id without a link when no template is set", async (app) => {
  const html = await runPage(app, TRACE_ID);
  assert(html.includes(`<dt>Trace</dt><dd><code>${TRACE_ID}</code></dd>`), "plain trace id");
  assert(!html.includes("16686"), "no link");
  assert((await runPage(app, null)).includes("<dt>Trace</dt><dd><code>—</code></dd>"));
});

Deno.test("loadSettings() reads TRACE_URL_TEMPLATE and refuses one without {traceId}", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assertEquals(loadSettings(env({})).traceUrlTemplate, undefined);
  assertEquals(loadSettings(env({ TRACE_URL_TEMPLATE: "" })).traceUrlTemplate, undefined);
  assertEquals(loadSettings(env({ TRACE_URL_TEMPLATE: JAEGER })).traceUrlTemplate, JAEGER);
  for (const bad of ["http://localhost:16686/trace/", "localhost:16686/trace/{traceId}"]) {
    const err = assertThrows(() => loadSettings(env({ TRACE_URL_TEMPLATE: bad })));
    assert(err instanceof TypeError);
    assertEquals(
      err.message,
      `Invalid TRACE_URL_TEMPLATE "${bad}": expected an http(s) URL containing {traceId}, ` +
        "e.g. http://localhost:16686/trace/{traceId}",
    );
  }
});

Deno.test("traceUrl() fills in {traceId} and leaves other braces, as in Grafana's explore URL", () => {
  const grafana = 'http://localhost:3000/explore?panes={"t":{"queries":[{"query":"{traceId}"}]}}';
  assertEquals(
    traceUrl(grafana, TRACE_ID),
    `http://localhost:3000/explore?panes={"t":{"queries":[{"query":"${TRACE_ID}"}]}}`,
  );
  const settings = loadSettings((name) => name === "TRACE_URL_TEMPLATE" ? grafana : undefined);
  assertEquals(settings.traceUrlTemplate, grafana);
});
