/**
 * {@linkcode Database} on a PostgreSQL server through postgres.js: a pool of connections for
 * Kysely (see `postgres_pool.ts` for why it is ours) plus `COPY … FROM STDIN` for bulk loads.
 *
 * The pool survives the server going away: queries in flight fail with a connection error (see
 * `isConnectionError` in `core/errors.ts`), the failed connections are replaced, and later
 * queries connect again once the server is back.
 *
 * @module
 */
import { Kysely, sql } from "kysely";
import { connect as netConnect, type Socket } from "node:net";
import postgres from "postgres";
import type { Database } from "../core/database.ts";
import { IngestError, isConnectionError } from "../core/errors.ts";
import { copyStatement } from "./copy_statement.ts";
import { type Client, ClientPool, ClientPoolDialect } from "./postgres_pool.ts";
import { isSingleTcpHost, noDelaySocket } from "./tcp_socket.ts";
import {
  ARRAY_TYPES,
  parseArrayLiteral,
  parsersByOid,
  serializeArray,
  VALUE_TYPES,
} from "./value_types.ts";

/** Options of {@linkcode openPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://…`). */
  url: string;
  /** Most connections the pool opens. @default 10 */
  poolSize?: number;
  /** Seconds to wait for a connection before giving up. @default 10 */
  connectTimeoutSeconds?: number;
}

/**
 * Connects to PostgreSQL and checks the connection with `SELECT 1`, so a wrong URL or a server
 * that is down fails here with a `database_unavailable` {@linkcode IngestError} rather than on
 * the first request.
 *
 * @example
 * ```ts ignore
 * import { openPostgresDatabase } from "./postgres_database.ts";
 * const db = await openPostgresDatabase({ url: "postgres://intake@127.0.0.1:5432/intake" });
 * console.log(await db.ping());
 * await db.close();
 * ```
 */
export async function openPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  const connectTimeout = options.connectTimeoutSeconds ?? 10;
  const clientOptions = {
    max: 1,
    connect_timeout: connectTimeout,
    ...(isSingleTcpHost(options.url) ? { socket: noDelaySocket(connectTimeout) } : {}),
    types: postgresJsTypes(),
    // Array types are pinned in `types`; looking them up would only cost a query per connection.
    fetch_types: false,
    // Notices ("table does not exist, skipping") are not errors; postgres.js logs them otherwise.
    onnotice: () => {},
    connection: { application_name: "intake" },
    socket: openSocket,
  };
  const pool = new ClientPool(
    (onClose) => postgres(options.url, { ...clientOptions, onclose: onClose }) as unknown as Client,
    options.poolSize ?? 10,
  );
  let client: Client | undefined;
  try {
    client = await pool.acquire();
    await client`SELECT 1`;
    pool.release(client);
  } catch (err) {
    if (client) pool.release(client, true);
    await pool.end().catch(() => {});
    const server = describeServer(options.url);
    const reason = err instanceof Error ? err.message : String(err);
    throw new IngestError(
      "database_unavailable",
      `Cannot connect to PostgreSQL at "${server}": ${reason}`,
      { server },
      { cause: err },
    );
  }
  guardAgainstNullSocketCrash();
  const kysely = new Kysely<unknown>({ dialect: new ClientPoolDialect(pool) });
  return new PostgresDatabase(pool, kysely);
}

class PostgresDatabase implements Database {
  readonly kind = "postgres" as const;
  // deno-lint-ignore no-explicit-any
  readonly kysely: Kysely<any>;
  #pool: ClientPool;

  constructor(pool: ClientPool, kysely: Kysely<unknown>) {
    this.#pool = pool;
    this.kysely = kysely;
  }

  async copyCsv(table: string, columns: readonly string[], csv: string): Promise<void> {
    const statement = copyStatement(table, columns, "STDIN");
    const client = await this.#pool.acquire();
    let broken = false;
    try {
      await copyIn(client, statement, csv);
    } catch (err) {
      broken = isConnectionError(err);
      throw err;
    } finally {
      this.#pool.release(client, broken);
    }
  }

  async ping(): Promise<number> {
    const start = performance.now();
    await sql`SELECT 1`.execute(this.kysely);
    return performance.now() - start;
  }

  poolStats(): { size: number; inUse: number; waiting: number } {
    return this.#pool.stats();
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

/**
 * Opens the client's socket with Nagle's algorithm off, which postgres.js leaves on. With it on,
 * the five bytes that end a COPY wait for the server to acknowledge the data before them, and
 * a delayed ACK puts that off by about 40 ms: measured, most of the time of a 5,000-row batch.
 * (postgres.js writes its startup message into the socket while it connects; Node buffers it.)
 */
function openSocket(options: { host: string[]; port: number[]; path?: string | false }): Socket {
  if (options.path) return netConnect(options.path);
  const socket = netConnect(options.port[0], options.host[0]);
  socket.setNoDelay(true);
  return socket;
}

/** Streams `csv` into `COPY … FROM STDIN` and resolves once the server has accepted it all. */
async function copyIn(client: Client, statement: string, csv: string): Promise<void> {
  const query = client.unsafe(statement);
  // postgres.js settles the COPY query with the stream as soon as the server accepts the COPY,
  // so an error PostgreSQL reports once it has read the data (a bad row, a violated
  // constraint) reaches only query.reject, a no-op by then, and the stream never finishes.
  // Hooking it surfaces the error instead of hanging.
  const failed = new Promise<never>((_, reject) => {
    const hooked = query as unknown as { reject: (err: unknown) => void };
    const original = hooked.reject;
    hooked.reject = (err) => {
      reject(err);
      original(err);
    };
  });
  failed.catch(() => {}); // settles only on failure; awaited below where it matters
  const stream = await Promise.race([query.writable(), failed]);
  const finished = new Promise<void>((resolve, reject) => {
    stream.once("finish", resolve);
    stream.once("error", reject);
  });
  stream.end(csv);
  await Promise.race([finished, failed]);
}

/** postgres.js type definitions built from the shared value-type tables. */
function postgresJsTypes(): Record<string, postgres.PostgresType> {
  const types: Record<string, postgres.PostgresType> = {};
  for (const type of VALUE_TYPES) {
    // Without `serialize` postgres.js keeps its own serializers for these OIDs; its type
    // definition insists on one, hence the cast.
    types[type.name] = {
      to: type.oids[type.oids.length - 1],
      from: [...type.oids],
      parse: type.parse,
      ...(type.serialize ? { serialize: type.serialize } : {}),
    } as unknown as postgres.PostgresType;
  }
  const parsers = parsersByOid();
  for (const [arrayOid, elementOid] of ARRAY_TYPES) {
    const parseElement = parsers[elementOid] ?? ((text: string) => text);
    types[`intake_array_${arrayOid}`] = {
      to: arrayOid,
      from: [arrayOid],
      parse: (text: string) => parseArrayLiteral(text, parseElement),
      serialize: serializeArray,
    };
  }
  return types;
}

let crashGuardInstalled = false;

/**
 * Last line of defence against postgres.js writing to a connection whose socket is gone
 * (porsager/postgres#1208; `postgres_pool.ts` avoids the known ways in): the TypeError is thrown
 * from a timer, where no caller can catch it, and would end the process. Only that exact error
 * is swallowed.
 */
function guardAgainstNullSocketCrash(): void {
  if (crashGuardInstalled || typeof globalThis.addEventListener !== "function") return;
  crashGuardInstalled = true;
  globalThis.addEventListener("error", (event) => {
    const error = (event as ErrorEvent).error;
    if (
      error instanceof TypeError &&
      /reading 'write'|evaluating 'socket\.write'/.test(error.message) &&
      /nextWrite/.test(error.stack ?? "") && /postgres/.test(error.stack ?? "")
    ) {
      event.preventDefault();
      console.error("postgres.js wrote to a closed connection; the write was dropped", error);
    }
  });
}

/** `host:port/database` of a connection URL, without the credentials. */
function describeServer(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}
