/**
 * An exclusive lock on a PGlite data directory, so that one process at a time opens it.
 *
 * PGlite is PostgreSQL in a single process without the postmaster's own `postmaster.pid` check:
 * two processes (say the server and the CLI) open the same directory without complaint, each
 * keeps its own buffers, and the writes of one silently disappear when the other flushes. The
 * lock is an OS advisory lock (`flock`) on `intake.lock` inside the directory: the OS releases it
 * when the process ends however it ends, so a crash never leaves a stale lock behind.
 *
 * @module
 */
import { IngestError } from "../core/errors.ts";

/** The lock file's name inside the data directory (PostgreSQL ignores files it does not know). */
export const LOCK_FILE = "intake.lock";

/** A held lock; `release()` lets the next process in. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the lock on `dataDir` (creating the directory when missing) without waiting.
 *
 * @throws {IngestError} `database_unavailable` naming the directory, and the process holding it
 * when known (`details.pid`), when another process (or another open database in this one) has
 * the directory open.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await Deno.mkdir(dataDir, { recursive: true });
  const path = `${dataDir.replace(/\/+$/, "")}/${LOCK_FILE}`;
  const file = await Deno.open(path, { read: true, write: true, create: true });
  let locked = false;
  try {
    locked = await file.tryLock(true);
    if (!locked) {
      const holder = Number((await Deno.readTextFile(path).catch(() => "")).trim());
      const pid = Number.isInteger(holder) && holder > 0 ? holder : null;
      const who = pid === null ? "another process" : `another process (pid ${pid})`;
      throw new IngestError(
        "database_unavailable",
        `Cannot open the PGlite data directory "${dataDir}": ${who} is using it, such as a ` +
          "running Intake server; stop it first, or use PostgreSQL (DATABASE_URL) to share " +
          "the database",
        { dataDir, lockFile: path, pid },
      );
    }
    // The pid is only for the message above; the lock itself is what keeps others out.
    await file.truncate(0);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch (err) {
    file.close();
    throw err;
  }
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      // Closing the descriptor drops the flock.
      file.close();
    },
  };
}
