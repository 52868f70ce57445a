/**
 * {@linkcode MetricsRegistry}: creates metrics and renders them all in the Prometheus text
 * format. A few dozen lines instead of a client library: we need counters, gauges with
 * collectors and histograms, and nothing else.
 *
 * @module
 */
import { Counter } from "./counter.ts";
import { formatHeader } from "./exposition.ts";
import { Gauge } from "./gauge.ts";
import { Histogram, type HistogramOptions } from "./histogram.ts";
import type { MetricFamily, MetricOptions } from "./metric.ts";

/** Options of {@linkcode MetricsRegistry}. */
export interface RegistryOptions {
  /** Told when a gauge's collector throws; that gauge is rendered without samples. */
  onCollectError?: (metric: string, error: unknown) => void;
}

/**
 * The metrics of one server, rendered for a scrape.
 *
 * @example
 * ```ts
 * import { MetricsRegistry } from "./registry.ts";
 * const registry = new MetricsRegistry();
 * const requests = registry.counter({ name: "demo_total", help: "Demo", labelNames: ["code"] });
 * requests.inc({ code: "200" });
 * const text = await registry.render();
 * if (!text.includes('demo_total{code="200"} 1\n')) throw new Error(text);
 * ```
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, MetricFamily>();
  readonly #onCollectError: RegistryOptions["onCollectError"];

  constructor(options: RegistryOptions = {}) {
    this.#onCollectError = options.onCollectError;
  }

  /** Creates and registers a counter. */
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(new Counter(options));
  }

  /** Creates and registers a gauge. */
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#add(new Gauge(options));
  }

  /** Creates and registers a histogram. */
  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#add(new Histogram(options));
  }

  /** Runs the gauges' collectors, then renders every metric, in registration order. */
  async render(): Promise<string> {
    const metrics = [...this.#metrics.values()];
    const failed = new Set<MetricFamily>();
    await Promise.all(metrics.map(async (metric) => {
      if (!metric.refresh) return;
      try {
        await metric.refresh();
      } catch (err) {
        failed.add(metric);
        this.#onCollectError?.(metric.name, err);
      }
    }));
    const blocks = metrics.map((metric) => {
      const header = formatHeader(metric.name, metric.help, metric.type);
      return failed.has(metric) ? header : [header, ...metric.samples()].join("\n");
    });
    return blocks.map((block) => block + "\n").join("");
  }

  #add<M extends MetricFamily>(metric: M): M {
    const names = sampleNames(metric);
    for (const taken of this.#metrics.values()) {
      if (sampleNames(taken).some((name) => names.includes(name))) {
        throw new TypeError(`Cannot register "${metric.name}": "${taken.name}" is registered`);
      }
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

// A histogram's samples are named `<name>_bucket`, `_sum` and `_count`; no other metric may be.
function sampleNames(metric: MetricFamily): string[] {
  if (metric.type !== "histogram") return [metric.name];
  return [metric.name, ...["_bucket", "_sum", "_count"].map((suffix) => metric.name + suffix)];
}
