/**
 * {@linkcode Histogram}: observations counted into cumulative buckets, with their sum and count.
 *
 * @module
 */
import { formatSample, type LabelPairs } from "./exposition.ts";
import { type Labels, Metric, type MetricOptions } from "./metric.ts";

/** Options of a histogram: upper bounds of its buckets, ascending (`+Inf` is added). */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  buckets: readonly number[];
}

interface HistogramState {
  /** Observations per bucket, not cumulative; the last slot is `+Inf`. */
  counts: number[];
  sum: number;
  count: number;
}

/** A distribution of observed values, e.g. durations in seconds. */
export class Histogram<L extends string = never> extends Metric<L, HistogramState> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions<L>) {
    super(options, ["le"]);
    const { buckets } = options;
    if (
      buckets.length === 0 ||
      buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]))
    ) {
      throw new TypeError(
        `Invalid buckets for histogram "${options.name}": use finite, strictly increasing bounds`,
      );
    }
    this.buckets = Object.freeze([...buckets]);
  }

  /** Counts `value` into the series for `labels`. */
  observe(labels: Labels<L>, value: number): void {
    if (Number.isNaN(value)) throw new RangeError(`Cannot observe NaN in "${this.name}"`);
    const state = this.series(labels);
    const index = this.buckets.findIndex((bound) => value <= bound);
    state.counts[index === -1 ? this.buckets.length : index]++;
    state.sum += value;
    state.count++;
  }

  /** How many values were observed for `labels`. */
  count(labels: Labels<L>): number {
    return this.series(labels).count;
  }

  protected initial(): HistogramState {
    return { counts: new Array(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected lines(labels: LabelPairs, state: HistogramState): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    [...this.buckets, Infinity].forEach((bound, i) => {
      cumulative += state.counts[i];
      const le = bound === Infinity ? "+Inf" : String(bound);
      lines.push(formatSample(`${this.name}_bucket`, [...labels, ["le", le]], cumulative));
    });
    lines.push(formatSample(`${this.name}_sum`, labels, state.sum));
    lines.push(formatSample(`${this.name}_count`, labels, state.count));
    return lines;
  }
}
