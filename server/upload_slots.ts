/**
 * A cap on the uploads this process reads and processes at once in requests (direct and staged
 * uploads, inspections; queued uploads go to the database and the worker has its own
 * concurrency): each may hold up to `INTAKE_UPLOAD_MEMORY_BYTES`, so the cap bounds the memory of
 * hostile bursts. A request past it is refused at once with `503 server_busy` and `Retry-After`
 * rather than queued in memory.
 *
 * @example Two at once
 * ```ts
 * import { UploadSlots } from "./upload_slots.ts";
 * const slots = new UploadSlots(2);
 * const a = slots.take();
 * slots.take();
 * let busy = false;
 * try {
 *   slots.take();
 * } catch {
 *   busy = true;
 * }
 * a();
 * if (!busy || slots.inUse !== 1) throw new Error("unexpected");
 * ```
 *
 * @module
 */
import { IngestError } from "../core/errors.ts";

/** How long a refused client is told to wait before it tries again. */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/** A counting semaphore that refuses instead of waiting. */
export class UploadSlots {
  readonly limit: number;
  #inUse = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Slots taken now. */
  get inUse(): number {
    return this.#inUse;
  }

  /**
   * Takes a slot and returns the function that gives it back (once, however often called).
   *
   * @throws {IngestError} `server_busy` with `retryAfterSeconds` when every slot is taken
   */
  take(): () => void {
    if (this.#inUse >= this.limit) {
      throw new IngestError(
        "server_busy",
        `The server is reading ${this.limit} uploads at once, its limit: ` +
          `try again in ${BUSY_RETRY_AFTER_SECONDS} s`,
        { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS, limit: this.limit },
      );
    }
    this.#inUse++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#inUse--;
    };
  }
}
