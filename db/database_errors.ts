/**
 * PostgreSQL's errors as Intake's typed errors. The drivers apply {@linkcode databaseError} where
 * an error leaves them (queries, transactions, COPY), so what crosses the `Database` seam is an
 * {@linkcode IngestError} whenever its SQLSTATE means something to a user; core matches no
 * SQLSTATE. Other errors pass through unchanged (the store reads their class where it must, as a
 * first load does).
 *
 * @example A unique violation becomes `constraint_violation`
 * ```ts
 * import { databaseError } from "./database_errors.ts";
 * const raw = Object.assign(new Error("duplicate key"), { code: "23505", constraint: "t_pkey" });
 * const typed = databaseError(raw) as { type?: string };
 * if (typed.type !== "constraint_violation") throw new Error(`got ${typed.type}`);
 * ```
 *
 * @module
 */
import type { DatabaseConnection, Driver } from "kysely";
import { IngestError, isIngestError } from "../core/errors.ts";

// Connection failures from postgres.js carry Node-style codes; PGlite never loses its connection.
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
]);

/** Returns true when `err` says the database connection was lost or refused (raw or typed). */
export function isConnectionError(err: unknown): boolean {
  if (isIngestError(err, "database_unavailable")) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && CONNECTION_CODES.has(code);
}

/** `err` as an {@linkcode IngestError} when its SQLSTATE (or connection code) has a meaning; else `err`. */
export function databaseError(err: unknown): unknown {
  if (err instanceof IngestError) return err;
  if (isConnectionError(err)) {
    return new IngestError("database_unavailable", "The database is unavailable", {}, {
      cause: err,
    });
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("23")) {
    // SQLSTATE class 23: the target's own constraints refused the data (integrity violation).
    const e = err as { message: string; constraint?: string; constraint_name?: string };
    return new IngestError(
      "constraint_violation",
      `The target table refused the data: ${e.message}`,
      { sqlState: code, constraint: e.constraint ?? e.constraint_name ?? null },
      { cause: err },
    );
  }
  if (code === "42P01" || code === "42703") {
    // undefined_table, undefined_column: a target table dropped or changed since start (runs
    // check before they read a file; this covers commits, reviews and exports of such a type).
    const e = err as { message: string };
    return new IngestError(
      "type_not_ready",
      `A table or column is missing: ${e.message} (see /health/ready)`,
      { sqlState: code },
      { cause: err },
    );
  }
  if (code === "22021" || code === "22P05") {
    // character_not_in_repertoire, untranslatable_character: a NUL (byte 0) reached a text or
    // jsonb value. The readers refuse NULs with their place; this covers any other way in.
    return new IngestError(
      "encoding_error",
      "The upload holds a character the database cannot store: a NUL (byte 0) in a name, a header, a mapping or a value",
      { sqlState: code },
      { cause: err },
    );
  }
  return err;
}

/** Awaits `promise`, rethrowing its failure through {@linkcode databaseError}. */
export async function typedErrors<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw databaseError(err);
  }
}

/** Wraps a Kysely driver so every query, transaction step and checkout fails with typed errors. */
export function typedErrorsDriver(inner: Driver): Driver {
  // Kysely uses a connection only to run queries; the driver gets its own connection back.
  const innerOf = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = (c: DatabaseConnection) => innerOf.get(c) ?? c;
  return {
    init: (options) => typedErrors(inner.init(options)),
    acquireConnection: async (options) => {
      const c = await typedErrors(inner.acquireConnection(options));
      const wrapped: DatabaseConnection = {
        executeQuery: (query) => typedErrors(c.executeQuery(query)),
        async *streamQuery(query, chunkSize) {
          try {
            yield* c.streamQuery(query, chunkSize);
          } catch (err) {
            throw databaseError(err);
          }
        },
      };
      innerOf.set(wrapped, c);
      return wrapped;
    },
    releaseConnection: (c, options) => inner.releaseConnection(unwrap(c), options),
    beginTransaction: (c, settings) => typedErrors(inner.beginTransaction(unwrap(c), settings)),
    commitTransaction: (c) => typedErrors(inner.commitTransaction(unwrap(c))),
    rollbackTransaction: (c) => typedErrors(inner.rollbackTransaction(unwrap(c))),
    savepoint: inner.savepoint &&
      ((c, name, compile) => typedErrors(inner.savepoint!(unwrap(c), name, compile))),
    rollbackToSavepoint: inner.rollbackToSavepoint &&
      ((c, name, compile) => typedErrors(inner.rollbackToSavepoint!(unwrap(c), name, compile))),
    releaseSavepoint: inner.releaseSavepoint &&
      ((c, name, compile) => typedErrors(inner.releaseSavepoint!(unwrap(c), name, compile))),
    destroy: (options) => inner.destroy(options),
  };
}
