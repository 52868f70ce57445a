/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests that read
 * `/metrics`. Stricter than Prometheus where our output should be: every family has `# HELP`
 * and `# TYPE` before its samples, no other comments, no blank lines, a family's samples are
 * contiguous, and histograms are complete (`_bucket` with increasing `le` ending in `+Inf`,
 * cumulative counts, `_sum`, `_count` equal to the `+Inf` bucket).
 *
 * @module
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its header and samples. */
export interface Family {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf)|NaN)$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** Parses `text`, throwing a `SyntaxError` naming the line for anything out of place. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith("\n")) throw new SyntaxError("The exposition does not end with a line feed");
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const done = new Set<string>();
  let current: Family | null = null;
  const lines = text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    const where = `line ${i + 1} ("${line}")`;
    const fail = (why: string): never => {
      throw new SyntaxError(`Invalid exposition at ${where}: ${why}`);
    };
    if (line === "") fail("blank line");
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) ([^ ]+) (.*)$/.exec(line) ??
        fail("only # HELP and # TYPE comments are expected");
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) fail(`invalid metric name "${name}"`);
      if (kind === "HELP") {
        if (helps.has(name)) fail(`second HELP for "${name}"`);
        helps.set(name, unescapeHelp(rest, fail));
        return;
      }
      if (!TYPES.has(rest)) fail(`unknown type "${rest}"`);
      if (families.has(name)) fail(`second TYPE for "${name}"`);
      if (!helps.has(name)) fail(`TYPE for "${name}" without HELP before it`);
      if (current) done.add(current.name);
      current = { name, type: rest as Family["type"], help: helps.get(name)!, samples: [] };
      families.set(name, current);
      return;
    }
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, families) ?? fail(`no TYPE for "${sample.name}"`);
    if (family !== current) {
      fail(
        done.has(family.name) ? "samples of a family are not contiguous" : "sample out of place",
      );
    }
    const key = JSON.stringify([sample.name, Object.entries(sample.labels).sort()]);
    if (
      family.samples.some((s) => JSON.stringify([s.name, Object.entries(s.labels).sort()]) === key)
    ) {
      fail("duplicate sample");
    }
    if (family.type === "counter" && !(sample.value >= 0)) fail("counter below zero or NaN");
    family.samples.push(sample);
  });
  for (const family of families.values()) {
    if (family.type === "histogram") checkHistogram(family);
  }
  return families;
}

/** The value of the sample named `name` with exactly `labels`, or undefined. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = familyOf(name, families);
  const want = JSON.stringify(Object.entries(labels).sort());
  return family?.samples.find((s) =>
    s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want
  )?.value;
}

function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct && direct.type !== "histogram") return direct;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  const family = base === undefined ? undefined : families.get(base);
  return family?.type === "histogram" ? family : undefined;
}

function unescapeHelp(text: string, fail: (why: string) => never): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    return fail(`invalid escape "\\${c}" in HELP`);
  });
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? fail("no metric name");
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    while (line[i] !== "}") {
      const label = /^[^=]*/.exec(line.slice(i))![0];
      if (!LABEL.test(label)) fail(`invalid label name "${label}"`);
      if (label in labels) fail(`label "${label}" twice`);
      i += label.length;
      if (line.slice(i, i + 2) !== '="') fail(`label "${label}" is not followed by ="`);
      i += 2;
      let value = "";
      while (line[i] !== '"') {
        if (i >= line.length) fail("unterminated label value");
        if (line[i] === "\\") {
          const c = line[i + 1];
          if (c === "\\" || c === '"') value += c;
          else if (c === "n") value += "\n";
          else fail(`invalid escape "\\${c ?? ""}" in a label value`);
          i += 2;
        } else {
          value += line[i++];
        }
      }
      labels[label] = value;
      i++;
      if (line[i] === ",") i++;
      else if (line[i] !== "}") fail("labels are not separated by commas");
    }
    i++;
  }
  const rest = line.slice(i);
  const m = /^ ([^ ]+)(?: (-?\d+))?$/.exec(rest) ?? fail("expected ' value [timestamp]'");
  if (!VALUE.test(m[1])) fail(`invalid value "${m[1]}"`);
  const value = m[1] === "NaN" ? NaN : Number(m[1].replace("Inf", "Infinity"));
  return { name, labels, value };
}

function checkHistogram(family: Family): void {
  const fail = (why: string): never => {
    throw new SyntaxError(`Invalid histogram "${family.name}": ${why}`);
  };
  const groups = new Map<
    string,
    { le: number[]; counts: number[]; sum?: number; count?: number }
  >();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { le: [], counts: [] };
    groups.set(key, group);
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) fail("a bucket without le");
      const bound = le === "+Inf" ? Infinity : Number(le);
      if (!VALUE.test(le) || Number.isNaN(bound)) fail(`invalid le "${le}"`);
      if (group.le.length && bound <= group.le.at(-1)!) fail(`le ${le} does not increase`);
      if (group.counts.length && s.value < group.counts.at(-1)!) fail("counts are not cumulative");
      group.le.push(bound);
      group.counts.push(s.value);
    } else {
      if (le !== undefined) fail(`${s.name} has an le label`);
      if (group.le.at(-1) !== Infinity) fail(`${s.name} before the +Inf bucket`);
      if (s.name.endsWith("_sum")) group.sum = s.value;
      else group.count = s.value;
    }
  }
  for (const [labels, group] of groups) {
    if (group.sum === undefined || group.count === undefined) {
      fail(`${labels} lacks _sum or _count`);
    }
    if (group.counts.at(-1) !== group.count) fail(`${labels}: +Inf bucket differs from _count`);
  }
}
