/**
 * What tracing costs: HTTP direct imports into a server exporting its traces to a loopback OTLP
 * receiver (`OTEL_DENO=true`) against one that does not, **at the same time**.
 *
 * Run one after the other, the two are minutes apart, and this machine's speed drifts by 20–30 %
 * within minutes, by more than tracing could cost: sequential pairs differed by ±10–15 % either
 * way whatever was traced. Run side by side, both meet the same machine; the pair's ratio then
 * varies by about ±5 %, and enough pairs pin the mean down to a few percent. Each server has a
 * database of its own (two identical databases of one cluster), so neither import sees the
 * other's keys. From round to round the traced and untraced servers swap databases, and which
 * upload starts first.
 *
 * @module
 */
import { startOtlpSink } from "./otlp_sink.ts";
import { cpuSeconds } from "./proc.ts";
import { type ServerProcess, startServerProcess, uploadAndWait } from "./server_process.ts";

/** A mean with the half-width of its 95 % confidence interval, both as fractions. */
export interface Estimate {
  mean: number;
  halfWidth95: number;
}

/** The relative cost of tracing, traced over untraced minus one, by wall time and server CPU. */
export interface TracingCost {
  rounds: number;
  wall: Estimate;
  cpu: Estimate;
  /** Spans the receiver got: proof that the traced server exported. */
  spans: number;
  pairs: { on: { seconds: number; cpu: number }; off: { seconds: number; cpu: number } }[];
}

/** Where and what {@linkcode measureTracingCost} uploads. */
export interface TracingCostOptions {
  /** Two identically prepared databases. */
  urls: readonly [string, string];
  file: string;
  /** A small file each server takes once before measuring. */
  warmFile: string;
  rounds: number;
  /** Empties the target of the database at `url` between uploads. */
  reset(url: string): Promise<void>;
}

/** Measures tracing's cost over `rounds` side-by-side pairs of uploads of `file`. */
export async function measureTracingCost(options: TracingCostOptions): Promise<TracingCost> {
  const { urls, file, rounds, reset } = options;
  const sink = startOtlpSink();
  const tracing = {
    OTEL_DENO: "true",
    OTEL_SERVICE_NAME: "intake-bench",
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
  };
  const pairs: TracingCost["pairs"] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      // Fresh servers every round: one server process can run the same upload ~30 % slower
      // than another, round after round, traced or not (seen once in 16 rounds with long-lived
      // servers); fresh ones make that part of the noise both sides share.
      const [onUrl, offUrl] = i % 2 ? [urls[1], urls[0]] : urls;
      const [on, off] = await Promise.all([
        startServerProcess({ DATABASE_URL: onUrl, ...tracing }),
        startServerProcess({ DATABASE_URL: offUrl }),
      ]);
      try {
        await Promise.all(urls.map(reset));
        await Promise.all([
          uploadAndWait(on, options.warmFile, "direct"),
          uploadAndWait(off, options.warmFile, "direct"),
        ]);
        await Promise.all(urls.map(reset));
        const measure = async (server: ServerProcess) => {
          const before = cpuSeconds(server.pid);
          const { seconds } = await uploadAndWait(server, file, "direct");
          return { seconds, cpu: cpuSeconds(server.pid) - before };
        };
        // The upload started first gets a head start on the shared cores.
        const onFirst = i % 4 < 2;
        const [first, second] = await Promise.all(
          onFirst ? [measure(on), measure(off)] : [measure(off), measure(on)],
        );
        pairs.push(onFirst ? { on: first, off: second } : { on: second, off: first });
      } finally {
        await Promise.all([on.stop(), off.stop()]);
      }
    }
    return {
      rounds,
      wall: estimate(pairs.map((p) => p.on.seconds / p.off.seconds - 1)),
      cpu: estimate(pairs.map((p) => p.on.cpu / p.off.cpu - 1)),
      spans: sink.spans(),
      pairs,
    };
  } finally {
    await sink.stop();
  }
}

/** The mean of `samples` and its 95 % interval (Student's t, by its Cornish–Fisher expansion). */
export function estimate(samples: readonly number[]): Estimate {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, halfWidth95: Infinity };
  const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const z = 1.959964;
  const df = n - 1;
  const t = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
  return { mean, halfWidth95: t * Math.sqrt(variance / n) };
}
