/**
 * {@linkcode Counter}: a value per label set that only goes up.
 *
 * @module
 */
import { formatSample, type LabelPairs } from "./exposition.ts";
import { type Labels, Metric } from "./metric.ts";

/** A monotonically increasing count (by convention named `…_total`). */
export class Counter<L extends string = never> extends Metric<L, { value: number }> {
  readonly type = "counter";

  /** Adds `by` (default 1) to the series for `labels`; `by` must be finite and not negative. */
  inc(labels: Labels<L>, by = 1): void {
    if (!Number.isFinite(by) || by < 0) {
      throw new RangeError(`Cannot add ${by} to counter "${this.name}": counters only go up`);
    }
    this.series(labels).value += by;
  }

  /** The current value for `labels` (0 when never incremented). */
  get(labels: Labels<L>): number {
    return this.series(labels).value;
  }

  protected initial(): { value: number } {
    return { value: 0 };
  }

  protected lines(labels: LabelPairs, state: { value: number }): string[] {
    return [formatSample(this.name, labels, state.value)];
  }
}
