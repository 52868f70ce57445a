/**
 * {@linkcode LeaseKeeper}: the heartbeat of the jobs one instance holds. Every third of the
 * lease it renews all of them in one statement; a job that is no longer this instance's (another
 * instance took it over) or whose lease could not be renewed in time (the database was out of
 * reach) is reported lost, so its work stops before someone else retries it.
 *
 * @module
 */
import { log } from "../log.ts";
import type { JobQueue } from "../../../store/postgres/jobs.ts";

/** Renews the leases of the jobs held by one instance. */
export class LeaseKeeper {
  readonly #queue: JobQueue;
  readonly #holder: string;
  readonly #leaseMs: number;
  readonly #onLost: (runId: string) => void;
  // Run id → when its lease was last known to run until (this process's clock).
  readonly #held = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;

  constructor(
    queue: JobQueue,
    holder: string,
    leaseMs: number,
    onLost: (runId: string) => void,
  ) {
    this.#queue = queue;
    this.#holder = holder;
    this.#leaseMs = leaseMs;
    this.#onLost = onLost;
  }

  /** Starts renewing. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops renewing (the leases then run out unless the jobs were settled). */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }

  /** Starts keeping the lease of a job just claimed (or added) by this instance. */
  hold(runId: string): void {
    this.#held.set(runId, Date.now() + this.#leaseMs);
  }

  /** The jobs whose leases are kept. */
  held(): string[] {
    return [...this.#held.keys()];
  }

  /** Stops keeping a job's lease. */
  drop(runId: string): void {
    this.#held.delete(runId);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => this.#beat().finally(() => this.#schedule()), this.#leaseMs / 3);
  }

  async #beat(): Promise<void> {
    const ids = [...this.#held.keys()];
    if (ids.length === 0) return;
    const started = Date.now();
    try {
      const renewed = new Set(await this.#queue.renew(ids, this.#holder, this.#leaseMs));
      for (const id of ids) {
        if (!this.#held.has(id)) continue;
        if (renewed.has(id)) this.#held.set(id, started + this.#leaseMs);
        else this.#lose(id, "taken over");
      }
    } catch (err) {
      log.warn("job heartbeat failed", { cause: String(err), jobs: ids.length });
      const now = Date.now();
      for (const [id, until] of this.#held) if (until <= now) this.#lose(id, "lease ran out");
    }
  }

  #lose(runId: string, reason: string): void {
    this.#held.delete(runId);
    log.warn("job lease lost", { run_id: runId, reason });
    this.#onLost(runId);
  }
}
