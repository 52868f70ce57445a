/**
 * The worker behind `background_copy.ts`: runs `COPY … FROM STDIN` on connections of its own.
 * Started from there; not a module to import.
 *
 * Messages in: `{type: "open", url, connectTimeoutSeconds, poolSize}` once, then
 * `{type: "copy", id, statement, data}` (the CSV as UTF-8 bytes) (any number at once) and `{type: "close"}`.
 * Messages out: `{id}` when a COPY is stored, `{id, error}` when it failed, `{type: "closed"}`.
 *
 * @module
 */
import { isConnectionError } from "../core/errors.ts";
import { clientFactory, copyIn, guardAgainstNullSocketCrash } from "./postgres_client.ts";
import { ClientPool } from "./postgres_pool.ts";

/** A message the worker accepts. */
export type CopyRequest =
  | { type: "open"; url: string; connectTimeoutSeconds: number; poolSize: number }
  | { type: "copy"; id: number; statement: string; data: Uint8Array }
  | { type: "close" };

/** A message the worker sends. */
export type CopyReply =
  | { type: "done"; id: number; error?: Record<string, unknown> }
  | { type: "closed" };

interface WorkerScope {
  onmessage: ((event: MessageEvent<CopyRequest>) => void) | null;
  postMessage(message: CopyReply): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
let pool: ClientPool | undefined;

// The soak test (run with --expose-gc, so only there) compares memory after a full collection
// and asks for one with SIGUSR2: this isolate's garbage is collected by no one else.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) Deno.addSignalListener("SIGUSR2", () => (gc(), gc()));

scope.onmessage = ({ data }) => {
  if (data.type === "open") {
    guardAgainstNullSocketCrash();
    pool = new ClientPool(clientFactory(data.url, data.connectTimeoutSeconds), data.poolSize);
  } else if (data.type === "copy") {
    copy(data.id, data.statement, data.data);
  } else {
    (pool?.end() ?? Promise.resolve()).catch(() => {}).finally(() => {
      scope.postMessage({ type: "closed" });
      scope.close();
    });
  }
};

async function copy(id: number, statement: string, csv: Uint8Array): Promise<void> {
  let broken = false;
  try {
    const client = await pool!.acquire();
    try {
      await copyIn(client, statement, csv);
    } catch (err) {
      broken = isConnectionError(err);
      throw err;
    } finally {
      pool!.release(client, broken);
    }
    scope.postMessage({ type: "done", id });
  } catch (err) {
    scope.postMessage({ type: "done", id, error: serializeError(err) });
  }
}

// Errors cross to the main thread as plain data: the message, and the fields callers read
// (`code` for SQLSTATE and connection failures, `constraint_name`, …).
function serializeError(err: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    name: err instanceof Error ? err.name : "Error",
    message: err instanceof Error ? err.message : String(err),
  };
  if (err !== null && typeof err === "object") {
    for (const [key, value] of Object.entries(err)) {
      if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
        fields[key] = value;
      }
    }
  }
  return fields;
}
