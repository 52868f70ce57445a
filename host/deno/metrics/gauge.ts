/**
 * {@linkcode Gauge}: a value per label set that goes up and down, set directly or read by a
 * collector at each scrape.
 *
 * @module
 */
import { formatSample, type LabelPairs } from "./exposition.ts";
import { type Labels, Metric } from "./metric.ts";

/** Reads current values into the gauge (with `gauge.set`) just before it is rendered. */
export type GaugeCollector<L extends string> = (gauge: Gauge<L>) => void | Promise<void>;

/** A value that can go up and down: pool sizes, queue depth. */
export class Gauge<L extends string = never> extends Metric<L, { value: number }> {
  readonly type = "gauge";
  #collector: GaugeCollector<L> | undefined;

  /** Sets the series for `labels` to `value`. */
  set(labels: Labels<L>, value: number): void {
    this.series(labels).value = value;
  }

  /** The current value for `labels` (0 when never set). */
  get(labels: Labels<L>): number {
    return this.series(labels).value;
  }

  /**
   * Makes `collector` the source of this gauge: before each scrape the series are cleared and
   * the collector sets them afresh. Replaces any earlier collector.
   *
   * @example Queue depth read from the database at each scrape
   * ```ts
   * import { MetricsRegistry } from "./registry.ts";
   *
   * const queue = { depth: () => Promise.resolve(7) }; // the job queue, read at each scrape
   * const registry = new MetricsRegistry();
   * const depth = registry.gauge({ name: "demo_queue_depth", help: "Jobs waiting" });
   * depth.collect(async (gauge) => gauge.set({}, await queue.depth()));
   * const text = await registry.render();
   * if (!text.includes("demo_queue_depth 7\n")) throw new Error(text);
   * ```
   */
  collect(collector: GaugeCollector<L>): void {
    this.#collector = collector;
  }

  /** Runs the collector, if any; the registry calls this before rendering. */
  async refresh(): Promise<void> {
    if (!this.#collector) return;
    this.clear();
    await this.#collector(this);
  }

  protected initial(): { value: number } {
    return { value: 0 };
  }

  protected lines(labels: LabelPairs, state: { value: number }): string[] {
    return [formatSample(this.name, labels, state.value)];
  }
}
