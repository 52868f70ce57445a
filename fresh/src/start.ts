/**
 * `start()` serves the app on `Deno.serve` until Ctrl-C or SIGTERM; `createHandler()` gives the
 * bare request handler for tests and custom servers.
 *
 * @module
 */
import { HttpError } from "./error.ts";
import { createApp, type ServeHandler } from "./handler.ts";
import type { FreshConfig, Manifest } from "./types.ts";

/**
 * Returns the app's request handler, without opening a port; the client bundle is built on the
 * first island page.
 *
 * @throws {Error} naming the file when a route module is invalid
 */
export async function createHandler(
  manifest: Manifest,
  _config: FreshConfig = {},
): Promise<ServeHandler> {
  return (await createApp(manifest)).handler;
}

/**
 * Serves the app (port: `server.port`, else `PORT`, else 8000; hostname: `server.hostname`, else
 * 127.0.0.1) and resolves once the server has stopped: Ctrl-C, SIGTERM or `server.signal`.
 */
export async function start(manifest: Manifest, config: FreshConfig = {}): Promise<void> {
  const app = await createApp(manifest);
  const options = config.server ?? {};
  const server = Deno.serve({
    ...options,
    port: options.port ?? Number(Deno.env.get("PORT") || 8000),
    hostname: options.hostname ?? "127.0.0.1",
    onListen: options.onListen ?? (({ hostname, port }) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      console.log(`Fresh ready: http://${host}:${port}/`);
    }),
    onError: options.onError ?? answerError,
  }, app.handler);
  const stop = () => void server.shutdown();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  // Building in the background keeps start-up fast; the first island page waits if needed.
  app.warmUp().catch((err) => console.error("Fresh: cannot prepare the client bundle:", err));
  try {
    await server.finished;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  }
}

/** Answers what the app could not: an {@linkcode HttpError}'s status, else 500 (logged). */
export function answerError(err: unknown): Response {
  const status = err instanceof HttpError ? err.status : 500;
  if (status >= 500) console.error("Fresh: a request failed:", err);
  const text = status >= 500 ? "Internal Server Error" : (err as HttpError).message;
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
