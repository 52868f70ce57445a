/**
 * The signals that ask an Intake process to stop (SIGINT and SIGTERM; SIGINT alone on Windows,
 * which has no SIGTERM to listen to), and the last bound on a shutdown that hangs.
 *
 * @module
 */

/** The signals that start a shutdown. */
export const SHUTDOWN_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

/** Calls `listener` on each shutdown signal; returns the function that stops listening. */
export function onShutdownSignal(listener: (signal: Deno.Signal) => void): () => void {
  const listeners = SHUTDOWN_SIGNALS.map((signal) => [signal, () => listener(signal)] as const);
  for (const [signal, fn] of listeners) Deno.addSignalListener(signal, fn);
  return () => {
    for (const [signal, fn] of listeners) Deno.removeSignalListener(signal, fn);
  };
}

/**
 * Exits with code 1 after `ms`, calling `onExpire` first, unless the process ends before; the
 * timer does not keep the process alive.
 */
export function exitAfter(ms: number, onExpire: () => void): void {
  Deno.unrefTimer(setTimeout(() => {
    onExpire();
    Deno.exit(1);
  }, ms));
}
