/**
 * COPY on a worker of its own, so it goes on while the main thread parses and validates.
 *
 * Measured: on the main thread, a COPY batch moves only when the event loop gets a turn; while
 * the pipeline works through the next batch (tens of milliseconds of parsing and validation),
 * the socket sits full and PostgreSQL waits, so parsing and loading took turns instead of
 * overlapping (a million rows: about 9 s instead of 4). The worker's event loop has nothing
 * else to do. The batch crosses as UTF-8 bytes whose buffer is transferred, not copied: a
 * string would land in the worker's large-object space, freed only by a full collection, and
 * the worker's heap grew by tens of megabytes over a soak; a transferred buffer is freed as soon
 * as a scavenge drops its small wrapper.
 *
 * @module
 */
import type { CopyReply, CopyRequest, SessionResult } from "./copy_worker.ts";

const encoder = new TextEncoder();

/** Where the COPY worker connects. */
export interface BackgroundCopyOptions {
  url: string;
  connectTimeoutSeconds: number;
  /** Most COPYs (connections) at once. */
  poolSize: number;
}

/** A transaction on a connection of the worker's own (see {@linkcode BackgroundCopy.begin}). */
export interface BackgroundSession {
  /** Runs a `COPY … FROM STDIN` in the transaction; the bytes are transferred. */
  copy(statement: string, csv: string | Uint8Array<ArrayBuffer>): Promise<void>;
  /** Runs one statement in the transaction. */
  query(sql: string, parameters: readonly unknown[]): Promise<SessionResult>;
  /** Commits (`true`) or rolls back, and gives the connection back. */
  end(commit: boolean): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Runs COPY statements on a worker, started on first use. */
export class BackgroundCopy {
  readonly #options: BackgroundCopyOptions;
  #worker: Worker | undefined;
  #pending = new Map<
    number,
    { resolve: (result?: SessionResult) => void; reject: (err: unknown) => void }
  >();
  #next = 0;
  #sessions = 0;
  #closed: Promise<void> | undefined;

  constructor(options: BackgroundCopyOptions) {
    this.#options = { ...options };
  }

  /**
   * Runs `statement` (a `COPY … FROM STDIN`) with `csv` as its data; bytes are transferred, so
   * the caller must not use them afterwards.
   */
  async copy(
    statement: string,
    csv: string | Uint8Array<ArrayBuffer>,
    session?: number,
  ): Promise<void> {
    const data = typeof csv === "string" ? encoder.encode(csv) : csv;
    await this.#request({ type: "copy", statement, data, session }, [data.buffer]);
  }

  /**
   * Begins a transaction on a connection the worker keeps for it, until
   * {@linkcode BackgroundSession.end}; COPY on it goes on beside the caller like any other.
   */
  async begin(): Promise<BackgroundSession> {
    const session = this.#sessions++;
    await this.#request({ type: "begin", session });
    return {
      copy: (statement, csv) => this.copy(statement, csv, session),
      query: async (sql, parameters) =>
        (await this.#request({ type: "query", session, sql, parameters }))!,
      end: async (commit) => {
        await this.#request({ type: "end", session, commit });
      },
    };
  }

  #request(
    message: DistributiveOmit<Exclude<CopyRequest, { type: "open" | "close" }>, "id">,
    transfer: Transferable[] = [],
  ): Promise<SessionResult | undefined> {
    if (this.#closed) return Promise.reject(new Error("Cannot copy: the database is closed"));
    const worker = this.#worker ??= this.#start();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id } as CopyRequest, transfer);
    });
  }

  /** Closes the worker's connections and ends it. */
  close(): Promise<void> {
    return this.#closed ??= this.#stop();
  }

  #start(): Worker {
    const worker = new Worker(new URL("./copy_worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = ({ data }: MessageEvent<CopyReply>) => {
      if (data.type !== "done") return;
      const pending = this.#pending.get(data.id);
      this.#pending.delete(data.id);
      if (!pending) return;
      if (data.error) {
        pending.reject(Object.assign(new Error(String(data.error.message)), data.error));
      } else pending.resolve(data.result);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      this.#failAll(new Error(`The COPY worker failed: ${event.message}`));
    };
    const { url, connectTimeoutSeconds, poolSize } = this.#options;
    this.#post(worker, { type: "open", url, connectTimeoutSeconds, poolSize });
    return worker;
  }

  async #stop(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const closed = new Promise<void>((resolve) => {
      worker.addEventListener("message", (event: MessageEvent<CopyReply>) => {
        if (event.data.type === "closed") resolve();
      });
      worker.addEventListener("error", () => resolve());
    });
    this.#post(worker, { type: "close" });
    await closed;
    worker.terminate();
    this.#failAll(new Error("Cannot copy: the database is closed"));
  }

  #post(worker: Worker, message: CopyRequest): void {
    worker.postMessage(message);
  }

  #failAll(err: Error): void {
    for (const { reject } of this.#pending.values()) reject(err);
    this.#pending.clear();
  }
}
