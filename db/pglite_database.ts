/**
 * {@linkcode Database} on embedded PGlite (PostgreSQL compiled to WebAssembly), in memory or
 * persisted under a directory. PGlite has exactly one connection, so every query, transaction
 * and COPY takes turns through one gate; a query issued while a transaction is open waits for it
 * to finish instead of running inside it.
 *
 * `copyCsv()` takes the connection for itself, like any query outside a transaction: called
 * from inside a Kysely transaction on this database it would wait for that transaction forever.
 * (On PostgreSQL it runs on another pooled connection, outside the transaction, too.)
 *
 * A data directory on disk is locked for as long as the database is open (`data_dir_lock.ts`):
 * PGlite itself would let a second process open it and lose that process's writes.
 *
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import {
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  PGliteAdapter,
  PGliteDialect,
  sql,
} from "kysely";
import type { IntakeTables } from "../store/postgres/tables.ts";
import type { Database } from "./database.ts";
import { copyStatement } from "./copy_statement.ts";
import { typedErrors, typedErrorsDriver } from "./database_errors.ts";
import { type DataDirLock, lockDataDir } from "./data_dir_lock.ts";
import { parsersByOid, serializersByOid } from "./value_types.ts";

/** Options of {@linkcode openPgliteDatabase}. */
export interface PgliteDatabaseOptions {
  /** Directory holding the cluster; undefined or `"memory://"` keeps it in memory. */
  dataDir?: string;
  /**
   * A data directory tarball (from PGlite's `dumpDataDir()`) to start from instead of running
   * initdb; the test harness uses it to open a fresh database in a fraction of the time.
   */
  loadDataDir?: Blob;
}

/**
 * Opens PGlite and wraps it as a {@linkcode Database}.
 *
 * @example In memory
 * ```ts
 * import { openPgliteDatabase } from "./pglite_database.ts";
 * const db = await openPgliteDatabase({});
 * try {
 *   const ms = await db.ping();
 *   if (!(ms >= 0)) throw new Error(`ping took ${ms} ms`);
 * } finally {
 *   await db.close();
 * }
 * ```
 */
export async function openPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  const inMemory = options.dataDir === undefined || options.dataDir === "memory://";
  const lock = inMemory ? undefined : await lockDataDir(options.dataDir!);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      dataDir: inMemory ? undefined : options.dataDir,
      loadDataDir: options.loadDataDir,
      parsers: parsersByOid(),
      serializers: serializersByOid(),
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const gate = new ConnectionGate();
  const kysely = new Kysely<IntakeTables>({ dialect: new GatedPGliteDialect(pglite, gate) });
  return new PgliteDatabase(pglite, kysely, gate, lock);
}

class PgliteDatabase implements Database {
  readonly kind = "pglite" as const;
  readonly kysely: Kysely<IntakeTables>;
  #pglite: PGlite;
  #gate: ConnectionGate;
  #lock: DataDirLock | undefined;

  constructor(
    pglite: PGlite,
    kysely: Kysely<IntakeTables>,
    gate: ConnectionGate,
    lock: DataDirLock | undefined,
  ) {
    this.#pglite = pglite;
    this.kysely = kysely;
    this.#gate = gate;
    this.#lock = lock;
  }

  async copyCsv(
    table: string,
    columns: readonly string[],
    csv: string | Uint8Array<ArrayBuffer>,
  ): Promise<void> {
    const statement = copyStatement(table, columns, "'/dev/blob'");
    // Holding Kysely's connection keeps the raw query from slipping into an open transaction.
    await this.kysely.connection().execute(async () => {
      await typedErrors(this.#pglite.query(statement, [], { blob: new Blob([csv]) }));
    });
  }

  async ping(): Promise<number> {
    const start = performance.now();
    await sql`SELECT 1`.execute(this.kysely);
    return performance.now() - start;
  }

  poolStats(): { size: number; inUse: number; waiting: number } {
    return { size: 1, inUse: this.#gate.inUse, waiting: this.#gate.waiting };
  }

  async close(): Promise<void> {
    try {
      await this.kysely.destroy();
    } finally {
      // Only once PGlite has flushed and closed may another process open the directory.
      this.#lock?.release();
    }
  }
}

/** A FIFO lock around PGlite's single connection that also counts who is waiting for it. */
class ConnectionGate {
  #busy = false;
  #queue: Array<() => void> = [];

  get inUse(): number {
    return this.#busy ? 1 : 0;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#queue = this.#queue.filter((waiter) => waiter !== grant);
        reject(signal?.reason);
      };
      this.#queue.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#busy = false;
  }
}

/**
 * Kysely's PGlite dialect with our gate in place of Kysely's internal connection mutex, which
 * works the same way but cannot report how many queries wait (`poolStats().waiting`).
 */
class GatedPGliteDialect extends PGliteDialect {
  #gate: ConnectionGate;

  constructor(pglite: PGlite, gate: ConnectionGate) {
    super({ pglite });
    this.#gate = gate;
  }

  override createAdapter(): DialectAdapter {
    return new GatedPGliteAdapter();
  }

  override createDriver(): Driver {
    return typedErrorsDriver(new GatedDriver(super.createDriver(), this.#gate));
  }
}

class GatedPGliteAdapter extends PGliteAdapter {
  // Tells Kysely not to add its own mutex: GatedDriver serializes every connection checkout.
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

class GatedDriver implements Driver {
  #inner: Driver;
  #gate: ConnectionGate;

  constructor(inner: Driver, gate: ConnectionGate) {
    this.#inner = inner;
    this.#gate = gate;
  }

  init(options?: { signal?: AbortSignal }): Promise<void> {
    return this.#inner.init(options);
  }

  async acquireConnection(options?: { signal?: AbortSignal }): Promise<DatabaseConnection> {
    await this.#gate.acquire(options?.signal);
    try {
      return await this.#inner.acquireConnection(options);
    } catch (err) {
      this.#gate.release();
      throw err;
    }
  }

  async releaseConnection(
    connection: DatabaseConnection,
    options?: { signal?: AbortSignal },
  ): Promise<void> {
    try {
      await this.#inner.releaseConnection(connection, options);
    } finally {
      this.#gate.release();
    }
  }

  beginTransaction(...args: Parameters<Driver["beginTransaction"]>): Promise<void> {
    return this.#inner.beginTransaction(...args);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
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
