/**
 * {@linkcode Database} on a PostgreSQL server through postgres.js: a connection pool for Kysely
 * (`kysely-postgres-js`) plus `COPY … FROM STDIN` for bulk loads.
 *
 * postgres.js reconnects by itself: when the server goes away, queries in flight fail with a
 * connection error (see `isConnectionError` in `core/errors.ts`) and later queries open new
 * connections once the server is back, so a running service survives a database restart.
 *
 * @module
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type QueryResult,
  sql,
} from "kysely";
import { PostgresJSDialect } from "kysely-postgres-js";
import postgres from "postgres";
import type { Database } from "../core/database.ts";
import { IngestError, isConnectionError } from "../core/errors.ts";
import { copyStatement } from "./copy_statement.ts";
import { parseArrayLiteral, type ValueParser, VALUE_TYPES } from "./value_types.ts";

/** Options of {@linkcode openPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://…`). */
  url: string;
  /** Most connections the pool opens. @default 10 */
  poolSize?: number;
  /** Seconds to wait for a connection before giving up. @default 10 */
  connectTimeoutSeconds?: number;
}

type Client = postgres.Sql<Record<string, never>>;

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
  const poolSize = options.poolSize ?? 10;
  const client = postgres(options.url, {
    max: poolSize,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    types: postgresJsTypes(),
    // Notices ("table does not exist, skipping") are not errors; postgres.js logs them otherwise.
    onnotice: () => {},
    connection: { application_name: "intake" },
  }) as unknown as Client;
  try {
    await client`SELECT 1`;
    await installArrayParsers(client);
  } catch (err) {
    await client.end({ timeout: 0 }).catch(() => {});
    const reason = err instanceof Error ? err.message : String(err);
    throw new IngestError(
      "database_unavailable",
      `Cannot connect to PostgreSQL at "${describeServer(options.url)}": ${reason}`,
      { server: describeServer(options.url) },
      { cause: err },
    );
  }
  guardAgainstNullSocketCrash();
  const stats: PoolCounters = { inUse: 0, waiting: 0 };
  const kysely = new Kysely<unknown>({ dialect: new GuardedPostgresJSDialect(client, stats) });
  return new PostgresDatabase(client, kysely, stats, poolSize);
}

interface PoolCounters {
  inUse: number;
  waiting: number;
}

class PostgresDatabase implements Database {
  readonly kind = "postgres" as const;
  // deno-lint-ignore no-explicit-any
  readonly kysely: Kysely<any>;
  #client: Client;
  #stats: PoolCounters;
  #poolSize: number;

  constructor(client: Client, kysely: Kysely<unknown>, stats: PoolCounters, poolSize: number) {
    this.#client = client;
    this.kysely = kysely;
    this.#stats = stats;
    this.#poolSize = poolSize;
  }

  async copyCsv(table: string, columns: readonly string[], csv: string): Promise<void> {
    const query = this.#client.unsafe(copyStatement(table, columns, "STDIN"));
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
    failed.catch(() => {}); // settled only on failure; awaited below where it matters
    this.#stats.inUse++;
    try {
      const stream = await Promise.race([query.writable(), failed]);
      const finished = new Promise<void>((resolve, reject) => {
        stream.once("finish", resolve);
        stream.once("error", reject);
      });
      stream.end(csv);
      await Promise.race([finished, failed]);
    } finally {
      this.#stats.inUse--;
    }
  }

  async ping(): Promise<number> {
    const start = performance.now();
    await sql`SELECT 1`.execute(this.kysely);
    return performance.now() - start;
  }

  poolStats(): { size: number; inUse: number; waiting: number } {
    return { size: this.#poolSize, inUse: this.#stats.inUse, waiting: this.#stats.waiting };
  }

  async close(): Promise<void> {
    await this.kysely.destroy();
  }
}

/** postgres.js type overrides built from the shared value-type table. */
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
  return types;
}

/**
 * Replaces postgres.js's array parsers, which read an element `NULL` as the string "NULL" (or
 * NaN in a number array), with {@linkcode parseArrayLiteral} over the same element parsers.
 * postgres.js fills `options.parsers` when a connection first starts and leaves an entry alone
 * from then on, so overriding it once after the first connection holds for the whole pool.
 */
async function installArrayParsers(client: Client): Promise<void> {
  const arrays = await client<Array<{ element: number; array: number }>>`
    SELECT oid::int4 AS element, typarray::int4 AS array FROM pg_catalog.pg_type
    WHERE typarray <> 0 AND typtype IN ('b', 'e', 'r', 'm')`;
  const parsers = client.options.parsers as Record<number, ValueParser | undefined>;
  for (const { element, array } of arrays) {
    const parseElement = parsers[element] ?? ((text: string) => text);
    parsers[array] = (text) => parseArrayLiteral(text, parseElement);
  }
}

/**
 * kysely-postgres-js with a driver that counts connections (postgres.js does not expose its
 * pool state) and works around postgres.js 3.4.9 losing a connection that died while reserved:
 * releasing it puts it back in the pool without a socket, and the next query on it throws from a
 * timer (`Cannot read properties of null (reading 'write')`), killing the process (upstream
 * porsager/postgres#1199 and #1208). A reserved connection that failed with a connection error
 * is therefore never used or released again; postgres.js has already queued it for reconnect.
 */
class GuardedPostgresJSDialect extends PostgresJSDialect {
  #stats: PoolCounters;

  constructor(client: Client, stats: PoolCounters) {
    super({ postgres: client });
    this.#stats = stats;
  }

  override createDriver(): Driver {
    return new GuardedDriver(super.createDriver(), this.#stats);
  }
}

const DEAD = Symbol("dead");
type GuardedConnection = DatabaseConnection & { [DEAD]: boolean };

class GuardedDriver implements Driver {
  #inner: Driver;
  #stats: PoolCounters;

  constructor(inner: Driver, stats: PoolCounters) {
    this.#inner = inner;
    this.#stats = stats;
  }

  init(options?: { signal?: AbortSignal }): Promise<void> {
    return this.#inner.init(options);
  }

  async acquireConnection(options?: { signal?: AbortSignal }): Promise<DatabaseConnection> {
    this.#stats.waiting++;
    let inner: DatabaseConnection;
    try {
      inner = await this.#inner.acquireConnection(options);
    } finally {
      this.#stats.waiting--;
    }
    this.#stats.inUse++;
    return guardConnection(inner);
  }

  async releaseConnection(
    connection: DatabaseConnection,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    this.#stats.inUse--;
    if ((connection as GuardedConnection)[DEAD]) return;
    await this.#inner.releaseConnection(connection, options);
  }

  beginTransaction(...args: Parameters<Driver["beginTransaction"]>): Promise<void> {
    return this.#inner.beginTransaction(...args);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // The server ended the transaction with the connection; sending ROLLBACK would only fail.
    if ((connection as GuardedConnection)[DEAD]) return;
    await this.#inner.rollbackTransaction(connection);
  }

  savepoint(...args: Parameters<NonNullable<Driver["savepoint"]>>): Promise<void> {
    return this.#inner.savepoint!(...args);
  }

  rollbackToSavepoint(
    ...args: Parameters<NonNullable<Driver["rollbackToSavepoint"]>>
  ): Promise<void> {
    return this.#inner.rollbackToSavepoint!(...args);
  }

  releaseSavepoint(...args: Parameters<NonNullable<Driver["releaseSavepoint"]>>): Promise<void> {
    return this.#inner.releaseSavepoint!(...args);
  }

  destroy(options?: { signal?: AbortSignal }): Promise<void> {
    return this.#inner.destroy(options);
  }
}

/** Wraps a reserved connection so it stops at the first connection error (see above). */
function guardConnection(inner: DatabaseConnection): GuardedConnection {
  let dead = false;
  const closedError = () =>
    Object.assign(new Error("The connection was closed"), { code: "CONNECTION_CLOSED" });
  const executeQuery = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    if (dead) throw closedError();
    try {
      return await inner.executeQuery<R>(query);
    } catch (err) {
      if (isConnectionError(err)) dead = true;
      throw err;
    }
  };
  async function* streamQuery<R>(query: CompiledQuery, chunkSize: number) {
    if (dead) throw closedError();
    try {
      yield* inner.streamQuery<R>(query, chunkSize);
    } catch (err) {
      if (isConnectionError(err)) dead = true;
      throw err;
    }
  }
  // A proxy rather than a class, so kysely-postgres-js still finds its private symbols on it.
  return new Proxy(inner, {
    get(target, property) {
      if (property === DEAD) return dead;
      if (property === "executeQuery") return executeQuery;
      if (property === "streamQuery") return streamQuery;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as GuardedConnection;
}

let crashGuardInstalled = false;

/**
 * Last line of defence for the same postgres.js bug where no query error announced the dead
 * connection (it died idle inside a transaction): the TypeError is thrown from a timer, where
 * no caller can catch it, and would end the process. Only that exact error is swallowed.
 */
function guardAgainstNullSocketCrash(): void {
  if (crashGuardInstalled || typeof globalThis.addEventListener !== "function") return;
  crashGuardInstalled = true;
  globalThis.addEventListener("error", (event) => {
    const error = (event as ErrorEvent).error;
    if (
      error instanceof TypeError && /reading 'write'|evaluating 'socket\.write'/.test(error.message) &&
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
