/**
 * Core runs outside Deno. `tests/runtimes/core_entry.ts` (receive → decode → parse → map headers
 * → validate, as a fetch handler) is bundled with `deno bundle --platform=browser` into one file
 * and run under Node and under Cloudflare's workerd, on the demo files; each runtime's summaries
 * must equal those of the unbundled entry run here, in Deno. One suite per runtime, as Hono runs
 * its runtime tests.
 *
 * Node is whatever `node` is on PATH (CI has Node 20); workerd is the npm package pinned in
 * deno.json, whose binary `deno install` fetches. Neither is optional: a missing one fails.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import core, { type CoreSummary } from "./runtimes/core_entry.ts";
import type { TextFormat } from "../core/stages/parse.ts";

/** One file to send through core, and the upload type and format to read it as. */
interface DemoFile {
  name: string;
  type: string;
  format: TextFormat;
  bytes: Uint8Array<ArrayBuffer>;
}

const ROOT = new URL("../", import.meta.url);
const CONFIG = fileURLToPath(new URL("deno.json", ROOT));
const ENTRY = fileURLToPath(new URL("runtimes/core_entry.ts", import.meta.url));
const NODE_HOST = fileURLToPath(new URL("runtimes/node_host.mjs", import.meta.url));
// Kills a runtime that hangs (a workerd that never listens, say) instead of the whole suite.
const RUNTIME_DEADLINE_MS = 120_000;

/** The examples, a JSON file, and one file that is not valid UTF-8. */
async function demoFiles(): Promise<DemoFile[]> {
  const read = (path: string) => Deno.readFile(new URL(path, ROOT));
  const files: DemoFile[] = [];
  for (const type of ["facilities", "emissions"]) {
    for (const name of [`${type}_clean.csv`, `${type}_changes.csv`]) {
      files.push({ name, type, format: "csv", bytes: await read(`examples/${name}`) });
    }
  }
  files.push({
    name: "emissions_missing_column.csv",
    type: "emissions",
    format: "csv",
    bytes: await read("examples/emissions_missing_column.csv"),
  });
  files.push({
    name: "emissions.json",
    type: "emissions",
    format: "json",
    bytes: await read("tests/runtimes/emissions.json"),
  });
  // "Kent" with a windows-1252 é: decode's strict UTF-8 error, with its byte offset and line.
  const bytes = await read("examples/facilities_clean.csv");
  bytes[new TextDecoder().decode(bytes).indexOf("Kent") + 1] = 0xe9;
  files.push({ name: "facilities_latin1.csv", type: "facilities", format: "csv", bytes });
  return files;
}

function query(file: DemoFile): string {
  return `?type=${file.type}&format=${file.format}`;
}

/** Reads a summary response, failing on anything but 200. */
async function summaryOf(response: Response, where: string): Promise<CoreSummary> {
  if (!response.ok) {
    throw new Error(`${where}: HTTP ${response.status}: ${await response.text()}`);
  }
  return await response.json();
}

/** The reference: core unbundled, in this process. */
async function underDeno(files: DemoFile[]): Promise<CoreSummary[]> {
  const summaries = [];
  for (const file of files) {
    const request = new Request(`http://core/${query(file)}`, { method: "POST", body: file.bytes });
    summaries.push(await summaryOf(await core.fetch(request), `Deno, ${file.name}`));
  }
  return summaries;
}

/** Bundles the entry into `dir` and returns the bundle's path. */
async function bundle(dir: string): Promise<string> {
  const output = join(dir, "core.js");
  const args = ["bundle", "--quiet", "--config", CONFIG, "--platform=browser", "--format=esm"];
  args.push("--output", output, ENTRY);
  const result = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" })
    .output();
  if (!result.success) {
    throw new Error(`Cannot bundle core: ${new TextDecoder().decode(result.stderr)}`);
  }
  return output;
}

/** Runs `node` (from PATH) on the bundle, which reads the files from `dir`. */
async function underNode(files: DemoFile[], dir: string): Promise<unknown> {
  const bundled = await bundle(dir);
  const cases = [];
  for (const file of files) {
    const path = join(dir, file.name);
    await Deno.writeFile(path, file.bytes);
    cases.push({ path, type: file.type, format: file.format });
  }
  const args = [NODE_HOST, bundled, JSON.stringify(cases)];
  const signal = AbortSignal.timeout(RUNTIME_DEADLINE_MS);
  const result = await new Deno.Command("node", { args, stdout: "piped", stderr: "piped", signal })
    .output()
    .catch((err) => {
      throw err instanceof Deno.errors.NotFound
        ? new Error("Cannot run core under Node: `node` is not on PATH", { cause: err })
        : err;
    });
  if (!result.success) {
    const how = signal.aborted
      ? `was killed after ${RUNTIME_DEADLINE_MS} ms`
      : `exited ${result.code}`;
    throw new Error(`node ${how}: ${new TextDecoder().decode(result.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(result.stdout));
}

/** The workerd binary and its newest compatibility date, from the npm package. */
async function workerdPackage(): Promise<{ binary: string; compatibilityDate: string }> {
  // A CommonJS module: its exports are the default export's properties.
  const { default: workerd } = await import("workerd");
  const { default: binary, compatibilityDate } = workerd as Record<string, string>;
  return { binary, compatibilityDate };
}

/** workerd's config: the bundle as a module worker, on a port of workerd's choosing. */
function workerdConfig(compatibilityDate: string): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "core", worker = .core)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "core")],
);
const core :Workerd.Worker = (
  modules = [(name = "core.js", esModule = embed "core.js")],
  compatibilityDate = "${compatibilityDate}",
);
`;
}

/** Reads workerd's control messages (JSON lines) until it says which port it listens on. */
async function listeningPort(
  control: ReadableStream<Uint8Array<ArrayBuffer>>,
): Promise<number | null> {
  let buffered = "";
  for await (const text of control.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    for (const line of buffered.split("\n").slice(0, -1)) {
      const message = JSON.parse(line);
      if (message.event === "listen") return message.port;
    }
    buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
  }
  return null;
}

/** Serves the bundle with `workerd serve` on a loopback port and posts each file to it. */
async function underWorkerd(files: DemoFile[], dir: string): Promise<unknown> {
  await bundle(dir);
  const { binary, compatibilityDate } = await workerdPackage();
  await Deno.writeTextFile(join(dir, "core.capnp"), workerdConfig(compatibilityDate));
  const child = new Deno.Command(binary, {
    args: ["serve", "core.capnp", "--control-fd=1"],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(RUNTIME_DEADLINE_MS),
  }).spawn();
  const log = new Response(child.stderr).text();
  const served = await postEach(child.stdout, files).then(
    (summaries) => ({ summaries }),
    (error: unknown) => ({ error }),
  );
  // Stops workerd (unless it stopped by itself), which completes its log.
  await child[Symbol.asyncDispose]();
  const logged = await log;
  if ("error" in served) {
    const { error } = served;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\nworkerd's log:\n${logged}`, { cause: error });
  }
  return served.summaries;
}

/** Waits for workerd to listen, then posts each file to it. */
async function postEach(
  control: ReadableStream<Uint8Array<ArrayBuffer>>,
  files: DemoFile[],
): Promise<CoreSummary[]> {
  const port = await listeningPort(control);
  if (port === null) throw new Error("workerd stopped before it listened");
  const summaries = [];
  for (const file of files) {
    const url = `http://127.0.0.1:${port}/${query(file)}`;
    const response = await fetch(url, { method: "POST", body: file.bytes });
    summaries.push(await summaryOf(response, `workerd, ${file.name}`));
  }
  return summaries;
}

let reference: Promise<{ files: DemoFile[]; summaries: CoreSummary[] }> | undefined;

/** The demo files and their summaries under Deno, made once for both runtimes. */
function denoReference(): Promise<{ files: DemoFile[]; summaries: CoreSummary[] }> {
  return reference ??= demoFiles().then(async (files) => ({
    files,
    summaries: await underDeno(files),
  }));
}

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "intake_runtimes_" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("core's read path, under Deno, reads the demo files as examples/README.md says", async () => {
  const { files, summaries } = await denoReference();
  const byName = Object.fromEntries(files.map((f, i) => [f.name, summaries[i]]));
  const counts = (name: string) => {
    const s = byName[name];
    return "error" in s ? s.error.type : [s.rows, s.valid, s.invalid];
  };
  // The changes files' repeated keys are found by the store, not here: they count as valid.
  assertEquals(counts("facilities_clean.csv"), [20, 20, 0]);
  assertEquals(counts("facilities_changes.csv"), [14, 11, 3]);
  assertEquals(counts("emissions_clean.csv"), [40, 40, 0]);
  assertEquals(counts("emissions_changes.csv"), [19, 14, 5]);
  assertEquals(counts("emissions_missing_column.csv"), "header_error");
  assertEquals(counts("emissions.json"), [5, 3, 2]);
  assertEquals(counts("facilities_latin1.csv"), "encoding_error");
  const changes = byName["emissions_changes.csv"];
  assert(!("error" in changes));
  assertEquals(changes.errors.map((e) => `${e.row} ${e.column} ${e.code}`), [
    "15 year min",
    "16 pollutant enum",
    "17 amount min",
    "17 unit enum",
    "18 amount type",
    "18 reported_on type",
    "19 null ragged_row",
  ]);
});

Deno.test("core's read path, bundled, gives Deno's summaries under Node", async () => {
  const { files, summaries } = await denoReference();
  assertEquals(await inTempDir((dir) => underNode(files, dir)), summaries);
});

Deno.test("core's read path, bundled, gives Deno's summaries under workerd", async () => {
  const { files, summaries } = await denoReference();
  assertEquals(await inTempDir((dir) => underWorkerd(files, dir)), summaries);
});
