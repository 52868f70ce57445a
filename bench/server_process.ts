/**
 * Intake's real server (`main.ts`, as `deno task start` runs it) in a subprocess for the HTTP
 * benchmarks, on loopback without authentication, with its peak RSS watched.
 *
 * @module
 */
import { watchPeakRss } from "./proc.ts";
import { MALLOC_ENV, v8FlagsArg } from "../host/deno/process_settings.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** A running server. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Highest VmHWM so far, MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** The heap settings of `deno task start` (deno.json), for every Deno process the bench measures. */
export const V8_FLAGS = v8FlagsArg();

/** Starts `main.ts` with `env` added and resolves once it serves. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      V8_FLAGS,
      "main.ts",
    ],
    cwd: ROOT,
    env: { ...MALLOC_ENV, PORT: String(port), HOSTNAME: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const rss = watchPeakRss(child.pid);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    try {
      const res = await fetch(`${url}/health/ready`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error("The server did not become ready in 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    peakRssMb: () => rss.stop(),
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      rss.stop();
    },
  };
}

/**
 * Uploads `file` streamed (chunked, no `Content-Length`) with curl and waits for its run to be
 * final; returns the run and seconds.
 *
 * curl, not `fetch`: measured, a Deno `fetch` (or any client writing 64 KiB chunks as fast as the
 * socket takes them) against a Deno server that yields to its event loop between body reads
 * leaves the server buffering the body outside its heap (RSS to 280–450 MB) and spending most of
 * its time in `op_read`, 2–3× slower from run to run; curl, like browsers, does not set that off.
 */
export async function uploadAndWait(
  server: ServerProcess,
  file: string,
  mode: "direct" | "staged",
  // deno-lint-ignore no-explicit-any
): Promise<{ seconds: number; run: any }> {
  const started = performance.now();
  const out = await new Deno.Command("curl", {
    args: [
      "-sS",
      "-X",
      "POST",
      "-H",
      "content-type: text/csv",
      "-H",
      `x-file-name: ${file.split("/").pop()!}`,
      "-H",
      "transfer-encoding: chunked",
      "-T",
      file,
      "-w",
      "\n%{http_code}",
      `${server.url}/api/v1/uploads/emissions?mode=${mode}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const [body, status] = new TextDecoder().decode(out.stdout).trimEnd().split(/\n(?=\d+$)/);
  if (!out.success || !/^2/.test(status)) {
    throw new Error(`Upload answered ${status}: ${body}${new TextDecoder().decode(out.stderr)}`);
  }
  let run = JSON.parse(body);
  const final = mode === "direct" ? ["committed", "failed", "cancelled"] : ["staged", "failed"];
  while (!final.includes(run.status)) {
    await new Promise((r) => setTimeout(r, 100));
    run = await (await fetch(`${server.url}/api/v1/runs/${run.id}`)).json();
  }
  if (mode === "staged" && run.status === "staged") {
    const commit = await fetch(`${server.url}/api/v1/runs/${run.id}/commit`, { method: "POST" });
    run = await commit.json();
  }
  if (run.status !== "committed") throw new Error(`Run ended ${JSON.stringify(run)}`);
  return { seconds: (performance.now() - started) / 1000, run };
}
