/**
 * The Prometheus text exposition format, version 0.0.4: names, label escaping and number
 * formatting. Everything that turns a metric into text goes through here.
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 *
 * @module
 */

/** The `Content-Type` of a `/metrics` answer. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label names and values of one sample, in the metric's label order. */
export type LabelPairs = ReadonlyArray<readonly [name: string, value: string]>;

/** Throws a `TypeError` unless `name` is a valid metric name. */
export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) {
    throw new TypeError(`Invalid metric name "${name}": use letters, digits, "_" and ":"`);
  }
}

/** Throws a `TypeError` unless `name` is a valid label name (`__` prefixes are reserved). */
export function assertLabelName(name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith("__")) {
    throw new TypeError(
      `Invalid label name "${name}": use letters, digits and "_", no "__" prefix`,
    );
  }
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

/** Escapes `# HELP` text: backslash and line feed (quotes stay as they are). */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/** Formats a sample value as Go's `ParseFloat` reads it (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** One sample line: `name{a="1",b="2"} value`. */
export function formatSample(name: string, labels: LabelPairs, value: number): string {
  const pairs = labels.map(([label, v]) => `${label}="${escapeLabelValue(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`;
}

/** The `# HELP` and `# TYPE` lines of a metric family. */
export function formatHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}`;
}
