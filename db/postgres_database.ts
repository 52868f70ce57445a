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
import type { IntakeTables } from "../store/postgres/tables.ts";
import type { BulkTransaction, Database } from "./database.ts";
import { IngestError } from "../core/errors.ts";
import { BackgroundCopy } from "./background_copy.ts";
import { copyStatement } from "./copy_statement.ts";
import { typedErrors } from "./database_errors.ts";
import { sessionDialect } from "./session_dialect.ts";
import { clientFactory, guardAgainstNullSocketCrash } from "./postgres_client.ts";
import { type Client, ClientPool, clientPoolDialect } from "./postgres_pool.ts";

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
  const connectTimeoutSeconds = options.connectTimeoutSeconds ?? 10;
  const poolSize = options.poolSize ?? 10;
  const pool = new ClientPool(clientFactory(options.url, connectTimeoutSeconds), poolSize);
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
  const kysely = new Kysely<IntakeTables>({ dialect: clientPoolDialect(pool) });
  // COPY gets connections of its own on its worker: up to half as many as queries.
  const copies = new BackgroundCopy({
    url: options.url,
    connectTimeoutSeconds,
    poolSize: Math.max(1, Math.ceil(poolSize / 2)),
  });
  return new PostgresDatabase(pool, kysely, copies);
}

class PostgresDatabase implements Database {
  readonly kind = "postgres" as const;
  readonly kysely: Kysely<IntakeTables>;
  #pool: ClientPool;
  #copies: BackgroundCopy;

  constructor(pool: ClientPool, kysely: Kysely<IntakeTables>, copies: BackgroundCopy) {
    this.#pool = pool;
    this.kysely = kysely;
    this.#copies = copies;
  }

  copyCsv(
    table: string,
    columns: readonly string[],
    csv: string | Uint8Array<ArrayBuffer>,
  ): Promise<void> {
    return typedErrors(this.#copies.copy(copyStatement(table, columns, "STDIN"), csv));
  }

  async beginBulk(): Promise<BulkTransaction> {
    const session = await typedErrors(this.#copies.begin());
    let ended = false;
    return {
      kysely: new Kysely<IntakeTables>({ dialect: sessionDialect(session.query) }),
      copyCsv: (table, columns, csv) =>
        typedErrors(session.copy(copyStatement(table, columns, "STDIN"), csv)),
      commit: () => {
        ended = true;
        return typedErrors(session.end(true));
      },
      rollback: async () => {
        if (ended) return;
        ended = true;
        await session.end(false).catch(() => {});
      },
    };
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
    try {
      await this.#copies.close();
    } finally {
      await this.kysely.destroy();
    }
  }
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
