/**
 * Crash-safe file primitives for the file state backend: private folders, atomic replacement of a
 * file (temp file in the same folder, fsync, rename, fsync of the folder) and cleanup of temp files
 * left behind by a process that died mid-write.
 */
import { randomBytes } from "node:crypto";
import { constants as fsc } from "node:fs";
import { chmod, lstat, mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Mode of every file vmsync writes under `.vmsync/`. */
export const FILE_MODE = 0o600;
/** Mode of the `.vmsync/` folder (and any folder below it). */
export const DIR_MODE = 0o700;

const TEMP_RE = /^\.(.+)\.(\d+)\.([0-9a-f]+)\.tmp$/;
/** A temp file older than this is removed even when its writer's pid looks alive (pid reuse). */
const TEMP_MAX_AGE_MS = 10 * 60_000;

/** The name of a fresh temp file for `target`, in the same folder: `.<base>.<pid>.<hex>.tmp`. */
export function tempPathFor(target: string): string {
  const name = `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  return join(dirname(target), name);
}

/**
 * Makes `dir` an existing, private (0700) folder. Its parent must exist (no recursive create, so a
 * mistyped manifest folder is not silently created). Wider modes on an existing folder are narrowed.
 * Throws when `dir` exists but is not a folder.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: DIR_MODE });
  } catch (err) {
    if (errCode(err) === "ENOENT") throw new StateFolderError(dir, `cannot create ${dir}: the folder ${dirname(dir)} does not exist`, err);
    if (errCode(err) !== "EEXIST") throw err;
  }
  const st = await stat(dir);
  if (!st.isDirectory()) throw new StateFolderError(dir, `${dir} exists but is not a folder; move it away so vmsync can keep its state there`);
  if (process.platform !== "win32" && (st.mode & 0o777) !== DIR_MODE) await chmod(dir, DIR_MODE);
}

/** The state folder cannot be made or used: its parent is missing, or a file sits where it should be. */
export class StateFolderError extends Error {
  readonly code = "STATE_FOLDER";
  readonly retryable = false;
  constructor(readonly path: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "StateFolderError";
  }
}

/** Sets `file` to mode 0600 if it exists with another mode; a missing file is fine. */
export async function ensureFileMode(file: string): Promise<void> {
  if (process.platform === "win32") return;
  try {
    const st = await lstat(file);
    if (st.isFile() && (st.mode & 0o777) !== FILE_MODE) await chmod(file, FILE_MODE);
  } catch (err) {
    if (errCode(err) !== "ENOENT") throw err;
  }
}

/**
 * Flushes a folder's entries (a rename or create in it) to disk. Platforms that cannot open a folder
 * for fsync (Windows) are tolerated.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, fsc.O_RDONLY);
    await fh.sync();
  } catch (err) {
    const code = errCode(err);
    if (process.platform === "win32" || code === "EISDIR" || code === "EINVAL") return;
    throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Writes `data` to a new private temp file next to `target`, fsyncs it and returns its path. The
 * caller renames or links it into place. On failure the temp file is removed and the error rethrown.
 */
export async function writeTempFile(target: string, data: string | Uint8Array): Promise<string> {
  const tmp = tempPathFor(target);
  const fh = await open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, FILE_MODE);
  try {
    if (process.platform !== "win32") await fh.chmod(FILE_MODE); // in case of an odd umask
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  return tmp;
}

/**
 * Atomically replaces `target` with `data`: readers see either the old or the new content, never a
 * mix, and after it resolves the new content survives a crash or power loss. A crash before the
 * rename leaves the old file intact plus a temp file that {@link removeStaleTempFiles} cleans.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const tmp = await writeTempFile(target, data);
  try {
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fsyncDir(dirname(target));
}

/**
 * Removes temp files in `dir` (named as {@link tempPathFor} names them) whose writer is gone: the
 * pid in the name is not alive, or the file is older than ten minutes. Temp files of live writers
 * are kept so a concurrent writer's rename does not fail. Returns the removed paths.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const m = TEMP_RE.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    const pid = Number(m[2]);
    try {
      const age = Date.now() - (await lstat(path)).mtimeMs;
      if (pid !== process.pid && isPidAlive(pid) && age < TEMP_MAX_AGE_MS) continue;
      if (pid === process.pid && age < TEMP_MAX_AGE_MS) continue;
      await unlink(path);
      removed.push(path);
    } catch (err) {
      if (errCode(err) !== "ENOENT") throw err;
    }
  }
  return removed;
}

/**
 * Whether a process with this pid exists on this host (`kill(pid, 0)`: ESRCH means gone, EPERM means
 * it exists but belongs to someone else). Non-positive or non-integer pids are never alive.
 */
export function isPidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === "EPERM";
  }
}

/** The `code` of a Node system error, if any. */
export function errCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}
