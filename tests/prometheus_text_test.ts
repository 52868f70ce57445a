import { assertEquals, assertMatch, assertThrows } from "./assert.ts";
import { parsePrometheusText, sampleValue } from "./prometheus_text.ts";

const VALID = [
  "# HELP jobs_total Jobs done, with a \\\\ and a \\n in the help.",
  "# TYPE jobs_total counter",
  'jobs_total{kind="a\\"b\\\\c\\nd",ok="true"} 3',
  "jobs_total 1e+21",
  "# HELP wait_seconds Wait.",
  "# TYPE wait_seconds histogram",
  'wait_seconds_bucket{q="x",le="0.5"} 1',
  'wait_seconds_bucket{q="x",le="1"} 2',
  'wait_seconds_bucket{q="x",le="+Inf"} 3',
  'wait_seconds_sum{q="x"} 4.25',
  'wait_seconds_count{q="x"} 3',
  "# HELP depth Depth.",
  "# TYPE depth gauge",
  "depth -Inf",
].join("\n") + "\n";

Deno.test("parsePrometheusText() reads families, escaped labels and histograms", () => {
  const families = parsePrometheusText(VALID);
  assertEquals([...families.keys()], ["jobs_total", "wait_seconds", "depth"]);
  assertEquals(families.get("jobs_total")!.help, "Jobs done, with a \\ and a \n in the help.");
  assertEquals(sampleValue(families, "jobs_total", { kind: 'a"b\\c\nd', ok: "true" }), 3);
  assertEquals(sampleValue(families, "jobs_total"), 1e21);
  assertEquals(sampleValue(families, "wait_seconds_bucket", { q: "x", le: "+Inf" }), 3);
  assertEquals(sampleValue(families, "wait_seconds_sum", { q: "x" }), 4.25);
  assertEquals(sampleValue(families, "depth"), -Infinity);
});

Deno.test("parsePrometheusText() rejects what a scraper would misread", async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ["no final line feed", VALID.trimEnd(), /line feed/],
    ["a bad escape", VALID.replace('a\\"b', "a\\tb"), /invalid escape/],
    ["an unquoted label", VALID.replace('ok="true"', "ok=true"), /not followed by ="/],
    ["a sample before its TYPE", "# HELP x X.\nx 1\n", /no TYPE/],
    ["a TYPE without HELP", "# TYPE x gauge\nx 1\n", /without HELP/],
    ["a negative counter", VALID.replace("jobs_total 1e+21", "jobs_total -1"), /below zero/],
    ["a bad value", VALID.replace("jobs_total 1e+21", "jobs_total 1,5"), /invalid value/],
    ["a blank line", VALID.replace("# HELP depth", "\n# HELP depth"), /blank line/],
    ["decreasing le", VALID.replace('le="1"', 'le="0.25"'), /does not increase/],
    ["non-cumulative counts", VALID.replace('le="1"} 2', 'le="1"} 0'), /not cumulative/],
    ["no +Inf bucket", VALID.replace(/.*le="\+Inf".*\n/, ""), /before the \+Inf bucket/],
    ["_count unlike +Inf", VALID.replace('count{q="x"} 3', 'count{q="x"} 4'), /differs/],
    ["a duplicate sample", VALID.replace("depth -Inf", "depth 1\ndepth 2"), /duplicate/],
    [
      "split families",
      VALID + 'jobs_total{kind="z",ok="no"} 1\n',
      /not contiguous/,
    ],
  ];
  for (const [name, text, message] of cases) {
    await t.step(name, () => {
      const err = assertThrows(() => parsePrometheusText(text));
      assertMatch(String(err), message);
    });
  }
});
