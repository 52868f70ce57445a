/**
 * Where a CLI command reads its environment and writes its output, so the commands stay plain
 * functions from arguments to an exit code.
 *
 * @module
 */

/** A command's view of the process. */
export interface CliIo {
  env(name: string): string | undefined;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  /**
   * Writes raw text (no newline) to stderr for live progress; absent when stderr is not a
   * terminal, where redrawing a line would only fill logs.
   */
  status?: (text: string) => void;
  /** Width of the terminal behind stderr, when it is one. */
  columns?: number;
  /** Aborts when the user asks to stop (Ctrl-C). */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

/**
 * The real process: stdout, stderr, the environment, and Ctrl-C as `signal` (a second Ctrl-C
 * exits at once with 130).
 */
export function processIo(): CliIo {
  const interrupt = new AbortController();
  Deno.addSignalListener("SIGINT", () => {
    if (interrupt.signal.aborted) Deno.exit(130);
    interrupt.abort();
  });
  const terminal = Deno.stderr.isTerminal();
  return {
    env: (name) => Deno.env.get(name),
    out: (line) => writeAll(Deno.stdout, `${line}\n`),
    err: (line) => writeAll(Deno.stderr, `${line}\n`),
    status: terminal ? (text) => writeAll(Deno.stderr, text) : undefined,
    columns: terminal ? consoleColumns() : undefined,
    signal: interrupt.signal,
  };
}

function consoleColumns(): number | undefined {
  try {
    return Deno.consoleSize().columns;
  } catch {
    // No terminal to measure after all (e.g. only stderr is one, on some platforms).
    return undefined;
  }
}

function writeAll(target: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
}
