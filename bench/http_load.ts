/**
 * HTTP load with autocannon against loopback, beside a bare `Deno.serve` hello-world measured
 * the same way in the same run, so the ratio says what Intake's own work costs.
 *
 * @module
 */
import autocannon from "autocannon";

/** What one load run measured. */
export interface LoadResult {
  path: string;
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** 64 connections for `seconds` against `url`. */
export async function load(url: string, seconds = 10): Promise<LoadResult> {
  const r = await autocannon({ url, connections: 64, duration: seconds });
  return {
    path: new URL(url).pathname,
    requestsPerSecond: r.requests.average,
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** Starts the bare hello-world server in a process of its own; returns its URL and a stop. */
export async function startBareServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = 40000 + Math.floor(Math.random() * 20000);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.serve({ hostname: "127.0.0.1", port: ${port}, onListen() {} }, () => new Response("hello"))`,
    ],
    stdout: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 300; i++) {
    try {
      await (await fetch(url)).body?.cancel();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      child.kill();
      await child.status;
    },
  };
}
