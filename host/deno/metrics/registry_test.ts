import { assertEquals, assertMatch, assertThrows } from "../../../tests/assert.ts";
import { parsePrometheusText, sampleValue } from "../../../tests/prometheus_text.ts";
import { MetricsRegistry } from "./registry.ts";

Deno.test("MetricsRegistry.render() prints counters, gauges and cumulative histograms", async () => {
  const registry = new MetricsRegistry();
  const jobs = registry.counter({ name: "jobs_total", help: "Jobs.", labelNames: ["kind"] });
  const wait = registry.histogram({ name: "wait_seconds", help: "Wait.", buckets: [0.1, 1] });
  const depth = registry.gauge({ name: "depth", help: "Depth." });
  jobs.inc({ kind: "a" });
  jobs.inc({ kind: "a" }, 2);
  jobs.inc({ kind: "b" });
  for (const seconds of [0.05, 0.1, 0.5, 7]) wait.observe({}, seconds);
  depth.set({}, -2);
  assertEquals(
    await registry.render(),
    [
      "# HELP jobs_total Jobs.",
      "# TYPE jobs_total counter",
      'jobs_total{kind="a"} 3',
      'jobs_total{kind="b"} 1',
      "# HELP wait_seconds Wait.",
      "# TYPE wait_seconds histogram",
      'wait_seconds_bucket{le="0.1"} 2',
      'wait_seconds_bucket{le="1"} 3',
      'wait_seconds_bucket{le="+Inf"} 4',
      "wait_seconds_sum 7.65",
      "wait_seconds_count 4",
      "# HELP depth Depth.",
      "# TYPE depth gauge",
      "depth -2",
      "",
    ].join("\n"),
  );
});

Deno.test("MetricsRegistry.render() escapes label values and help text", async () => {
  const registry = new MetricsRegistry();
  const odd = 'C:\\dir "quoted"\nnext line, {braces}=é';
  const c = registry.counter({
    name: "odd_total",
    help: 'Help with \\ and\n"quotes"',
    labelNames: ["v"],
  });
  c.inc({ v: odd });
  const text = await registry.render();
  assertMatch(text, /^# HELP odd_total Help with \\\\ and\\n"quotes"$/m);
  assertMatch(text, /^odd_total\{v="C:\\\\dir \\"quoted\\"\\nnext line, \{braces\}=é"\} 1$/m);
  const families = parsePrometheusText(text);
  assertEquals(families.get("odd_total")!.help, 'Help with \\ and\n"quotes"');
  assertEquals(sampleValue(families, "odd_total", { v: odd }), 1);
});

Deno.test("Gauge.collect() sets fresh values each scrape; a failing collector is reported", async () => {
  const errors: string[] = [];
  const registry = new MetricsRegistry({ onCollectError: (name) => errors.push(name) });
  let inUse = 1;
  const pool = registry.gauge({ name: "pool", help: "Pool.", labelNames: ["state"] });
  pool.collect((g) => g.set({ state: "in_use" }, inUse));
  const queue = registry.gauge({ name: "queue", help: "Queue." });
  queue.collect(async (g) => g.set({}, await Promise.resolve(5)));
  const broken = registry.gauge({ name: "broken", help: "Broken." });
  broken.set({}, 9);
  broken.collect(() => Promise.reject(new Error("database gone")));

  const first = parsePrometheusText(await registry.render());
  assertEquals(sampleValue(first, "pool", { state: "in_use" }), 1);
  assertEquals(sampleValue(first, "queue"), 5);
  assertEquals(first.get("broken")!.samples, []);
  assertEquals(errors, ["broken"]);
  inUse = 4;
  assertEquals(
    sampleValue(parsePrometheusText(await registry.render()), "pool", { state: "in_use" }),
    4,
  );
});

Deno.test("MetricsRegistry refuses bad names, labels, buckets and values", () => {
  const registry = new MetricsRegistry();
  const c = registry.counter({ name: "a_total", help: "A.", labelNames: ["x"] });
  const cases: Array<[() => unknown, RegExp]> = [
    [() => registry.counter({ name: "a-b", help: "" }), /Invalid metric name "a-b"/],
    [() => registry.counter({ name: "b", help: "", labelNames: ["__x"] }), /Invalid label name/],
    [() => registry.counter({ name: "b", help: "", labelNames: ["x", "x"] }), /twice/],
    [() => registry.gauge({ name: "a_total", help: "" }), /"a_total" is registered/],
    [() => registry.histogram({ name: "h", help: "", buckets: [1, 1] }), /strictly increasing/],
    [
      () => registry.histogram({ name: "h", help: "", labelNames: ["le"], buckets: [1] }),
      /reserved/,
    ],
    [() => c.inc({ x: "1" }, -1), /only go up/],
    [() => c.inc({} as { x: string }), /needs a string for label "x"/],
    [() => c.inc({ x: "1", y: "2" } as { x: string }), /takes only the labels x/],
  ];
  registry.histogram({ name: "t", help: "", buckets: [1] });
  cases.push([() => registry.counter({ name: "t_count", help: "" }), /"t" is registered/]);
  for (const [fn, message] of cases) assertMatch(String(assertThrows(fn)), message);
});
