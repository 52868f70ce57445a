/**
 * Where uploads' temporary files live (workbooks spooled for random access, bodies kept to be
 * read again): one directory per process, `<temp>/intake-uploads/<pid>-<random>/`, instead of
 * loose `intake-upload-*` files in the system's temporary directory. The process removes its own
 * directory when it exits ({@linkcode removeUploadTemp}); a process that was killed cannot, so
 * start-up removes the directories of processes that no longer run ({@linkcode sweepUploadTemp}).
 *
 * A process counts as running while `/proc/<pid>` exists; where there is no `/proc` (macOS,
 * Windows) a directory is removed only once it is a day old.
 *
 * @module
 */

/** The shared parent of every process's directory. */
export const UPLOAD_TEMP_PARENT = "intake-uploads";
const STALE_WITHOUT_PROC_MS = 24 * 3_600_000;

let own: Promise<string> | null = null;

/** The system's temporary directory, as `Deno.makeTempFile` chooses it. */
export function systemTempDir(): string {
  const env = (name: string) => Deno.env.get(name) || undefined;
  return Deno.build.os === "windows"
    ? env("TMP") ?? env("TEMP") ?? env("USERPROFILE") ?? "C:\\Windows\\Temp"
    : env("TMPDIR") ?? "/tmp";
}

function parentDir(): string {
  return `${systemTempDir()}/${UPLOAD_TEMP_PARENT}`;
}

/** This process's directory for upload files, created on first use. */
export function uploadTempDir(): Promise<string> {
  own ??= (async () => {
    await Deno.mkdir(parentDir(), { recursive: true });
    return await Deno.makeTempDir({ dir: parentDir(), prefix: `${Deno.pid}-` });
  })().catch((err) => {
    own = null;
    throw err;
  });
  return own;
}

/** A new empty file for an upload, in this process's directory. */
export async function makeUploadTempFile(suffix: ".spool" | ".body"): Promise<string> {
  return await Deno.makeTempFile({ dir: await uploadTempDir(), prefix: "intake-upload-", suffix });
}

/** Removes this process's directory and everything in it (on exit). */
export async function removeUploadTemp(): Promise<void> {
  if (!own) return;
  const dir = await own.catch(() => null);
  own = null;
  if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/**
 * Removes the directories of processes that no longer run (killed ones left them behind);
 * returns how many it removed.
 */
export async function sweepUploadTemp(now = Date.now()): Promise<number> {
  const parent = parentDir();
  const hasProc = await exists("/proc/self");
  let removed = 0;
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(parent));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  for (const entry of entries) {
    const pid = Number(/^(\d+)-/.exec(entry.name)?.[1]);
    if (!entry.isDirectory || !Number.isSafeInteger(pid) || pid === Deno.pid) continue;
    const path = `${parent}/${entry.name}`;
    const dead = hasProc
      ? !(await exists(`/proc/${pid}`))
      : now - ((await Deno.stat(path)).mtime?.getTime() ?? now) > STALE_WITHOUT_PROC_MS;
    if (!dead) continue;
    await Deno.remove(path, { recursive: true }).then(() => removed++, () => {});
  }
  return removed;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
