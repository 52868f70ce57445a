/**
 * Kysely's PostgreSQL dialect over one statement runner: the query builder of a
 * `BulkTransaction` (`db/database.ts`), whose connection lives on the COPY worker. The
 * transaction is the runner's: Kysely's own transactions are refused, as are streamed results.
 *
 * @module
 */
import type { CompiledQuery, DatabaseConnection, Dialect, QueryResult } from "kysely";
import type { SessionResult } from "./copy_worker.ts";
import { postgresDialect } from "./postgres_pool.ts";

/** Runs one statement and returns its rows. */
export type StatementRunner = (
  sql: string,
  parameters: readonly unknown[],
) => Promise<SessionResult>;

/** A dialect whose every query goes to `run`. */
export function sessionDialect(run: StatementRunner): Dialect {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const { rows, affected } = await run(query.sql, query.parameters);
      return {
        rows: rows as R[],
        numAffectedRows: affected === undefined ? undefined : BigInt(affected),
      };
    },
    streamQuery(): never {
      throw new Error("A bulk transaction does not stream results");
    },
  };
  const refuse = (): never => {
    throw new Error("A bulk transaction is a transaction already");
  };
  return postgresDialect(() => ({
    init: async () => {},
    acquireConnection: () => Promise.resolve(connection),
    releaseConnection: async () => {},
    beginTransaction: refuse,
    commitTransaction: refuse,
    rollbackTransaction: refuse,
    destroy: async () => {},
  }));
}
