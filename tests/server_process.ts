/**
 * `main.ts` as a real subprocess for the tests that need the whole server (jobs, logs, limits):
 * started on a free port with the environment given, its log lines collected, stopped with a
 * signal of the test's choosing.
 *
 * @module
 */
import { generateFacilitiesCsv } from "../bench/gen_emissions.ts";
import { MALLOC_ENV, v8FlagsArg } from "../host/deno/process_settings.ts";

const ROOT = new URL("../", import.meta.url);

/** A running `main.ts`. */
export interface ServerProcess {
  url: string;
  /** The process id (for /proc readings). */
  pid: number;
  /** The worker's instance id (from its `job worker started` line), or null (yet). */
  readonly instance: string | null;
  /** Log lines so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Everything written to stderr so far, as written. */
  stderr(): string;
  /** Sends `signal` and waits for the exit; returns the exit code. */
  stop(signal: Deno.Signal): Promise<number>;
}

/**
 * Starts `main.ts` with `env` (on top of a free port and LOG_LEVEL=info); resolves once ready.
 * `production` runs it with `deno task start`'s heap and allocator settings.
 */
export async function startServer(
  env: Record<string, string>,
  options: { production?: boolean } = {},
): Promise<ServerProcess> {
  const flags = options.production ? [v8FlagsArg()] : [];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...flags, "main.ts"],
    cwd: ROOT,
    env: {
      PORT: "0",
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "info",
      ...(options.production ? MALLOC_ENV : {}),
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (stderr += text) }),
  );
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await stdout.read();
    if (done) break;
    out += value;
  }
  const ready = /^Fresh ready: (http:\/\/127\.0\.0\.1:\d+)\/\n$/.exec(out);
  if (!ready) {
    child.kill("SIGKILL");
    await child.status;
    await reading;
    throw new Error(`main.ts did not start: ${out}${stderr}`);
  }
  const lines = () => stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  return {
    url: ready[1],
    pid: child.pid,
    get instance() {
      const started = lines().find((l) => l.msg === "job worker started");
      return (started?.instance as string | undefined) ?? null;
    },
    lines,
    stderr: () => stderr,
    async stop(signal) {
      child.kill(signal);
      for (let r = await stdout.read(); !r.done; r = await stdout.read()) { /* drain */ }
      const { code } = await child.status;
      await reading;
      return code;
    },
  };
}

/** Uploads `bytes` as a multipart CSV file to `type`; returns the answer's status and JSON. */
export async function uploadFile(
  url: string,
  type: string,
  bytes: Uint8Array<ArrayBuffer>,
  query = "mode=direct",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.set("file", new File([bytes], `${type}.csv`, { type: "text/csv" }));
  const res = await fetch(`${url}/api/v1/uploads/${type}?${query}`, { method: "POST", body: form });
  return { status: res.status, body: await res.json() };
}

/**
 * Imports the facilities that the first `rows` generated emissions rows for `seed` reference
 * (emissions reference facilities).
 */
export async function uploadFacilitiesFor(url: string, rows: number, seed: number): Promise<void> {
  const bytes = new TextEncoder().encode(generateFacilitiesCsv(rows, seed));
  const { status, body } = await uploadFile(url, "facilities", bytes);
  if (status !== 201) throw new Error(`Cannot import the facilities: ${JSON.stringify(body)}`);
}

/** The run as the API gives it. */
export async function getRun(url: string, id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/api/v1/runs/${id}`);
  return await res.json();
}
