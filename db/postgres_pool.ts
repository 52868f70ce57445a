/**
 * A pool of single-connection postgres.js clients and the Kysely dialect over it.
 *
 * Why not postgres.js's own pool through `kysely-postgres-js`: that path pins connections with
 * `sql.reserve()`, and postgres.js 3.4.9 mishandles a reserved connection whose server goes
 * away. Releasing it puts a socketless connection back in the pool, whose next query throws
 * from a timer and ends the process (porsager/postgres#1199, #1208); a `reserve()` made while a
 * dead connection is being closed can be lost and never resolve; and a connection that died
 * with a write pending never flushes again after reconnecting. Here every pooled client has
 * `max: 1`, so plain queries already run on one session (no reservation), and a client whose
 * connection failed is thrown away and replaced by a fresh one, so none of that state survives.
 *
 * @module
 */
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type postgres from "postgres";
import { isConnectionError, typedErrorsDriver } from "./database_errors.ts";
import { quoteIdentifier } from "./copy_statement.ts";

/** One postgres.js client limited to a single connection. */
export type Client = postgres.Sql<Record<string, never>>;

/**
 * Makes a client; it must call `onClose` whenever its connection closes (postgres.js's
 * `onclose` option), because postgres.js reconnects silently on the next query and a
 * transaction must not carry on in a new session as if nothing happened.
 */
export type ClientFactory = (onClose: () => void) => Client;

/** Hands out single-connection clients, at most `size` at once, first come first served. */
export class ClientPool {
  #create: ClientFactory;
  #size: number;
  #all = new Map<Client, { closes: number }>();
  #idle: Client[] = [];
  #waiters: Array<{ grant: (client: Client) => void }> = [];
  #ended = false;

  constructor(create: ClientFactory, size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Cannot create a pool of ${size} connections: expected at least 1`);
    }
    this.#create = create;
    this.#size = size;
  }

  /** Figures for `Database.poolStats()`. */
  stats(): { size: number; inUse: number; waiting: number } {
    return {
      size: this.#size,
      inUse: this.#all.size - this.#idle.length,
      waiting: this.#waiters.length,
    };
  }

  /** Takes a client, waiting for one when all `size` are in use. */
  acquire(signal?: AbortSignal): Promise<Client> {
    signal?.throwIfAborted();
    if (this.#ended) return Promise.reject(new Error("Cannot acquire a connection: pool ended"));
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.#all.size < this.#size) return Promise.resolve(this.#add());
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: (client: Client) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(client);
        },
      };
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** How often the client's connection has closed so far; a change means a new session. */
  closes(client: Client): number {
    return this.#all.get(client)?.closes ?? -1;
  }

  /** Gives a client back; a `broken` one (its connection failed) is closed and replaced. */
  release(client: Client, broken = false): void {
    if (broken || this.#ended) {
      this.#all.delete(client);
      client.end({ timeout: 0 }).catch(() => {});
      if (this.#ended) return;
      const waiter = this.#waiters.shift();
      if (waiter) waiter.grant(this.#add());
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter.grant(client);
    else this.#idle.push(client);
  }

  /** Closes every client, letting queries in flight finish. */
  async end(): Promise<void> {
    this.#ended = true;
    const clients = [...this.#all.keys()];
    this.#all.clear();
    this.#idle = [];
    await Promise.all(clients.map((client) => client.end()));
  }

  #add(): Client {
    const state = { closes: 0 };
    const client = this.#create(() => state.closes++);
    this.#all.set(client, state);
    return client;
  }
}

/**
 * Kysely's PostgreSQL dialect (its adapter, introspector and query compiler) over the driver
 * `createDriver` makes: the pool's here, a bulk transaction's in `session_dialect.ts`.
 */
export function postgresDialect(createDriver: () => Driver): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => typedErrorsDriver(createDriver()),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

/** Kysely's PostgreSQL dialect over a {@linkcode ClientPool}. */
export function clientPoolDialect(pool: ClientPool): Dialect {
  return postgresDialect(() => new ClientPoolDriver(pool));
}

class ClientPoolDriver implements Driver {
  #pool: ClientPool;

  constructor(pool: ClientPool) {
    this.#pool = pool;
  }

  async init(): Promise<void> {}

  async acquireConnection(options?: { signal?: AbortSignal }): Promise<DatabaseConnection> {
    const client = await this.#pool.acquire(options?.signal);
    return new ClientConnection(client, () => this.#pool.closes(client));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const { client, broken } = connection as ClientConnection;
    this.#pool.release(client, broken);
    return Promise.resolve();
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    let statement = "begin";
    if (settings.isolationLevel || settings.accessMode) {
      statement = "start transaction";
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A lost connection took its transaction with it; there is nothing left to roll back.
    if ((connection as ClientConnection).broken) return;
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(
      CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`),
    );
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async destroy(): Promise<void> {
    await this.#pool.end();
  }
}

const AFFECTING = new Set(["INSERT", "UPDATE", "DELETE", "MERGE"]);

class ClientConnection implements DatabaseConnection {
  readonly client: Client;
  #closes: () => number;
  #closesAtStart: number;
  #failed = false;

  constructor(client: Client, closes: () => number) {
    this.client = client;
    this.#closes = closes;
    this.#closesAtStart = closes();
  }

  /**
   * True once the session this connection started with is gone: a query failed with a
   * connection error, or the connection closed while checked out (say, idle in a transaction).
   * Nothing more runs on it, and the pool replaces the client on release.
   */
  get broken(): boolean {
    return this.#failed || this.#closes() !== this.#closesAtStart;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.broken) throw connectionClosed();
    try {
      const result = await this.client.unsafe(
        query.sql,
        query.parameters as postgres.ParameterOrJSON<never>[],
        { prepare: true },
      );
      const affected = affectedRows(result);
      return {
        numAffectedRows: affected === undefined ? undefined : BigInt(affected),
        rows: Array.from(result) as R[],
      };
    } catch (err) {
      if (isConnectionError(err)) this.#failed = true;
      throw err;
    }
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (this.broken) throw connectionClosed();
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError(`Cannot stream in chunks of ${chunkSize} rows: expected at least 1`);
    }
    const cursor = this.client.unsafe(
      query.sql,
      query.parameters as postgres.ParameterOrJSON<never>[],
    ).cursor(chunkSize);
    try {
      for await (const rows of cursor) yield { rows: rows as R[] };
    } catch (err) {
      if (isConnectionError(err)) this.#failed = true;
      throw err;
    }
  }
}

/** How many rows a statement's result says it wrote; undefined for other statements. */
export function affectedRows(result: postgres.RowList<postgres.Row[]>): number | undefined {
  return AFFECTING.has(result.command) && result.count !== null ? result.count : undefined;
}

/** The error of a query on a connection whose session is gone, coded as a connection error. */
export function connectionClosed(): Error {
  return Object.assign(new Error("The database connection was lost"), {
    code: "CONNECTION_CLOSED",
  });
}
