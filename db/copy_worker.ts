/**
 * The worker behind `background_copy.ts`: runs `COPY … FROM STDIN` on connections of its own.
 * Started from there; not a module to import.
 *
 * Messages in: `{type: "open", url, connectTimeoutSeconds, poolSize}` once, then
 * `{type: "copy", id, statement, data}` (the CSV as UTF-8 bytes) (any number at once) and `{type: "close"}`.
 * Messages out: `{id}` when a COPY is stored, `{id, error}` when it failed, `{type: "closed"}`.
 *
 * A bulk transaction (`BulkTransaction` in `db/database.ts`) keeps one connection for itself:
 * `{type: "begin", id, session}` takes it and starts the transaction, `copy` and
 * `{type: "query", id, session, sql, parameters}` (answered `{id, result}`) run on it, and
 * `{type: "end", id, session, commit}` commits or rolls back and gives it back.
 *
 * @module
 */
import { isConnectionError } from "./database_errors.ts";
import { clientFactory, copyIn, guardAgainstNullSocketCrash } from "./postgres_client.ts";
import { affectedRows, type Client, ClientPool, connectionClosed } from "./postgres_pool.ts";
import type postgres from "postgres";

/** A message the worker accepts. */
export type CopyRequest =
  | { type: "open"; url: string; connectTimeoutSeconds: number; poolSize: number }
  | { type: "copy"; id: number; statement: string; data: Uint8Array; session?: number }
  | { type: "begin"; id: number; session: number }
  | { type: "query"; id: number; session: number; sql: string; parameters: readonly unknown[] }
  | { type: "end"; id: number; session: number; commit: boolean }
  | { type: "close" };

/** What a query on a session returned. */
export interface SessionResult {
  rows: Record<string, unknown>[];
  /** Rows an INSERT, UPDATE, DELETE or MERGE affected. */
  affected?: number;
}

/** A message the worker sends. */
export type CopyReply =
  | { type: "done"; id: number; error?: Record<string, unknown>; result?: SessionResult }
  | { type: "closed" };

interface WorkerScope {
  onmessage: ((event: MessageEvent<CopyRequest>) => void) | null;
  postMessage(message: CopyReply): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
let pool: ClientPool | undefined;
/** Bulk transactions: the connection each holds, and whether it failed. */
const sessions = new Map<number, { client: Client; broken: boolean }>();

// The soak test (run with --expose-gc, so only there) compares memory after a full collection
// and asks for one with SIGUSR2: this isolate's garbage is collected by no one else.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) Deno.addSignalListener("SIGUSR2", () => (gc(), gc()));

scope.onmessage = ({ data }) => {
  if (data.type === "open") {
    guardAgainstNullSocketCrash();
    pool = new ClientPool(clientFactory(data.url, data.connectTimeoutSeconds), data.poolSize);
  } else if (data.type === "copy") {
    const { id, statement, session, data: csv } = data;
    if (session === undefined) copy(id, statement, csv);
    else inSession(id, session, (client) => copyAndFree(client, statement, csv));
  } else if (data.type === "begin") {
    begin(data.id, data.session);
  } else if (data.type === "query") {
    inSession(data.id, data.session, async (client) => {
      const result = await client.unsafe(
        data.sql,
        data.parameters as postgres.ParameterOrJSON<never>[],
      );
      return {
        rows: Array.from(result) as Record<string, unknown>[],
        affected: affectedRows(result),
      };
    });
  } else if (data.type === "end") {
    end(data.id, data.session, data.commit);
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
      await copyAndFree(client, statement, csv);
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

/**
 * Runs the COPY, then frees the batch's buffer (it was transferred here, so nothing else holds
 * it). Left to the collector, dead batches piled up: this isolate allocates too little for it to
 * come by often, and its external memory reached 66 MB during an upload (measured).
 */
async function copyAndFree(client: Client, statement: string, csv: Uint8Array): Promise<void> {
  await copyIn(client, statement, csv);
  (csv.buffer as ArrayBuffer).transfer(0);
}

async function begin(id: number, session: number): Promise<void> {
  let client: Client | undefined;
  try {
    client = await pool!.acquire();
    sessions.set(session, { client, broken: false });
    await client.unsafe("begin");
    scope.postMessage({ type: "done", id });
  } catch (err) {
    sessions.delete(session);
    if (client) pool!.release(client, isConnectionError(err));
    scope.postMessage({ type: "done", id, error: serializeError(err) });
  }
}

/** Runs `work` on the session's connection; a connection error marks it broken. */
async function inSession(
  id: number,
  session: number,
  work: (client: Client) => Promise<SessionResult | void>,
): Promise<void> {
  const held = sessions.get(session);
  try {
    if (!held || held.broken) throw connectionClosed();
    const result = await work(held.client).catch((err) => {
      held.broken = isConnectionError(err);
      throw err;
    });
    scope.postMessage({ type: "done", id, ...(result ? { result } : {}) });
  } catch (err) {
    scope.postMessage({ type: "done", id, error: serializeError(err) });
  }
}

/** Commits or rolls back, and gives the connection back (replaced when it failed). */
async function end(id: number, session: number, commit: boolean): Promise<void> {
  const held = sessions.get(session);
  sessions.delete(session);
  try {
    // A lost connection took its transaction with it: nothing to roll back, nothing committed.
    if (!held || held.broken) {
      if (commit) throw connectionClosed();
    } else {
      await held.client.unsafe(commit ? "commit" : "rollback").catch((err) => {
        held.broken = isConnectionError(err);
        throw err;
      });
    }
    scope.postMessage({ type: "done", id });
  } catch (err) {
    scope.postMessage({ type: "done", id, error: serializeError(err) });
  } finally {
    if (held) pool!.release(held.client, held.broken);
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
