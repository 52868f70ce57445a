/**
 * What counters, gauges and histograms share: a name, help text, fixed label names and one
 * series per distinct set of label values.
 *
 * @module
 */
import { assertLabelName, assertMetricName, type LabelPairs } from "./exposition.ts";

/** Label values of one series, one string per label name. */
export type Labels<L extends string> = { readonly [K in L]: string };

/** Name, help and label names of a metric. */
export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  /** @default [] */
  labelNames?: readonly L[];
}

/** What the registry needs from any metric: its header and its sample lines. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  /** Brings values up to date before a scrape (gauges with a collector). */
  refresh?(): Promise<void>;
  samples(): string[];
}

/** A metric family with its series; subclasses decide what a series holds and how it prints. */
export abstract class Metric<L extends string, S> implements MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly #series = new Map<string, { labels: LabelPairs; state: S }>();

  constructor(options: MetricOptions<L>, reserved: readonly string[] = []) {
    assertMetricName(options.name);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      assertLabelName(label);
      if (reserved.includes(label)) {
        throw new TypeError(`Invalid label name "${label}" on "${options.name}": it is reserved`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new TypeError(`Metric "${options.name}" names a label twice`);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = Object.freeze([...labelNames]);
  }

  /** The `# TYPE` of this family. */
  abstract readonly type: "counter" | "gauge" | "histogram";

  /** A new, empty series state. */
  protected abstract initial(): S;

  /** The sample lines of one series. */
  protected abstract lines(labels: LabelPairs, state: S): string[];

  /** The state of the series for `labels`, created on first use. */
  protected series(labels: Labels<L>): S {
    const values = this.labelNames.map((name) => {
      const value = (labels as Record<string, unknown>)[name];
      if (typeof value !== "string") {
        throw new TypeError(`Metric "${this.name}" needs a string for label "${name}"`);
      }
      return value;
    });
    if (Object.keys(labels).length !== values.length) {
      throw new TypeError(`Metric "${this.name}" takes only the labels ${this.labelNames}`);
    }
    const key = JSON.stringify(values);
    let entry = this.#series.get(key);
    if (!entry) {
      entry = {
        labels: this.labelNames.map((name, i) => [name, values[i]]),
        state: this.initial(),
      };
      this.#series.set(key, entry);
    }
    return entry.state;
  }

  /** Forgets every series (gauges whose collector reports a fresh set each scrape). */
  protected clear(): void {
    this.#series.clear();
  }

  /** Every sample line of every series, in the order the series first appeared. */
  samples(): string[] {
    return [...this.#series.values()].flatMap(({ labels, state }) => this.lines(labels, state));
  }
}
