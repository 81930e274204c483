/**
 * The apply lock of the file state backend: a `lock.json` created exclusively that names its holder.
 * A lock whose holder ran on this host and whose pid is gone is reclaimed; reclaiming goes through a
 * short-lived guard file so that two reclaimers cannot both remove (and then both take) the lock.
 * A lock from another host is never reclaimed automatically.
 */
import { hostname } from "node:os";
import { link, lstat, open, readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { StateLockedError, type LockHandle, type LockInfo } from "./contract.js";
import { FILE_MODE, errCode, fsyncDir, isPidAlive, writeTempFile } from "./atomic-write.js";

const MAX_ATTEMPTS = 50;
/** A reclaim guard older than this is stale whoever wrote it (it is held for milliseconds). */
const GUARD_MAX_AGE_MS = 30_000;
/** How long an unparsable lock may stay so before it is reported (it may be being written, non-link fallback). */
const SETTLE_MS = 500;

/** Thrown when `lock.json` exists but cannot be understood; names the file and the way out. */
export class LockFileCorruptError extends Error {
  readonly code = "STATE_LOCK_CORRUPT";
  readonly retryable = false;
  /** What to do about it. */
  readonly hint = "If no vmsync process is using this state, run `vmsync state unlock` to remove the lock file.";
  constructor(readonly path: string, detail: string) {
    super(`lock file ${path} is unreadable (${detail})`);
    this.name = "LockFileCorruptError";
  }
}

/** A lock held through `lock.json`. `release()` removes the file only while it still holds our id. */
export class FileLockHandle implements LockHandle {
  #releasing: Promise<void> | undefined;
  /** `beforeRelease` runs while the lock is still ours, just before it is removed (its failure does not keep the lock). */
  constructor(readonly info: LockInfo, readonly path: string, private readonly beforeRelease?: () => Promise<void>) {}

  /** Whether `release()` has been called. */
  get released(): boolean {
    return this.#releasing !== undefined;
  }

  /** Idempotent; never removes a lock that another holder has taken since (e.g. after a force-unlock). */
  release(): Promise<void> {
    this.#releasing ??= (async () => {
      const cur = await readLock(this.path).catch(() => undefined);
      if (cur?.id !== this.info.id) return;
      await this.beforeRelease?.().catch(() => undefined);
      await unlinkIfExists(this.path);
      await fsyncDir(dirname(this.path));
    })();
    return this.#releasing;
  }
}

/**
 * Takes the lock at `path` for `info` (whose `id` must be unique), reclaiming a stale one held by a
 * dead process on this host. Throws {@link StateLockedError} (with `location`) naming the live
 * holder, or {@link LockFileCorruptError} when the existing lock cannot be read.
 */
export async function acquireFileLock(path: string, info: LockInfo, location: string, opts: { beforeRelease?: () => Promise<void> } = {}): Promise<FileLockHandle> {
  const body = JSON.stringify(info, null, 2) + "\n";
  let corruptSince: number | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; ) {
    if (await createExclusive(path, body)) {
      await fsyncDir(dirname(path));
      return new FileLockHandle(info, path, opts.beforeRelease);
    }
    let holder: LockInfo | undefined;
    try {
      holder = await readLock(path);
    } catch (err) {
      if (!(err instanceof LockFileCorruptError)) throw err;
      // A lock created by the non-link fallback may be empty for an instant; wait a little.
      corruptSince ??= Date.now();
      if (Date.now() - corruptSince > SETTLE_MS || (await ageMs(path)) > SETTLE_MS) throw err;
      await sleep(20);
      continue;
    }
    corruptSince = undefined;
    attempt++;
    if (holder === undefined) continue; // released meanwhile: try again
    if (!isReclaimable(holder)) throw new StateLockedError(holder, location);
    await reclaimStale(path, holder);
  }
  throw new LockContendedError(path, MAX_ATTEMPTS);
}

/** Thrown when the lock kept changing hands through every attempt (many processes racing for it). */
export class LockContendedError extends Error {
  readonly code = "STATE_LOCK_CONTENDED";
  readonly retryable = true;
  constructor(readonly path: string, attempts: number) {
    super(`could not take the lock ${path} after ${attempts} attempts: other vmsync processes kept taking it; try again`);
    this.name = "LockContendedError";
  }
}

/** Whether `holder` is a lock of this host whose process no longer exists. */
export function isReclaimable(holder: LockInfo): boolean {
  return holder.host === hostname() && !isPidAlive(holder.pid);
}

/**
 * Removes the lock at `path` whoever holds it and returns the holder (undefined when there was no
 * lock, or when it was unreadable). Also removes a leftover reclaim guard.
 */
export async function forceRemoveLock(path: string): Promise<LockInfo | undefined> {
  const holder = await readLock(path).catch((err) => {
    if (err instanceof LockFileCorruptError) return undefined;
    throw err;
  });
  await unlinkIfExists(path);
  await unlinkIfExists(guardPath(path));
  await fsyncDir(dirname(path));
  return holder;
}

/**
 * Reads the lock at `path`: undefined when there is none; throws {@link LockFileCorruptError} when
 * the file is not a LockInfo.
 */
export async function readLock(path: string): Promise<LockInfo | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (errCode(err) === "ENOENT") return undefined;
    throw err;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new LockFileCorruptError(path, text.trim() === "" ? "empty file" : `invalid JSON: ${(err as Error).message}`);
  }
  const o = v as Partial<LockInfo> | null;
  if (!o || typeof o !== "object" || typeof o.id !== "string" || typeof o.host !== "string" || typeof o.pid !== "number") {
    throw new LockFileCorruptError(path, "not a lock record (id, host, pid expected)");
  }
  return { id: o.id, host: o.host, pid: o.pid, user: String(o.user ?? "?"), command: String(o.command ?? "?"), acquiredAt: String(o.acquiredAt ?? "?") };
}

function guardPath(path: string): string {
  return `${path}.reclaim`;
}

/**
 * Removes `stale` from `path` under the reclaim guard, re-checking under the guard that the lock is
 * still exactly `stale` (so a lock taken by a faster reclaimer in between is left alone). Returns
 * without doing anything when another reclaimer holds the guard; the caller retries.
 */
async function reclaimStale(path: string, stale: LockInfo): Promise<void> {
  const guard = guardPath(path);
  const mine = JSON.stringify({ host: hostname(), pid: process.pid, at: new Date().toISOString() });
  if (!(await createExclusive(guard, mine))) {
    await clearStaleGuard(guard);
    await sleep(5 + Math.random() * 20);
    return;
  }
  try {
    const cur = await readLock(path).catch(() => undefined);
    if (cur?.id === stale.id) await unlinkIfExists(path);
  } finally {
    await unlinkIfExists(guard);
  }
}

/** Removes a guard left by a reclaimer that died while holding it (dead pid here, or too old). */
async function clearStaleGuard(guard: string): Promise<void> {
  let g: { host?: unknown; pid?: unknown } | undefined;
  try {
    g = JSON.parse(await readFile(guard, "utf8"));
  } catch (err) {
    if (errCode(err) === "ENOENT") return;
  }
  const deadHere = g?.host === hostname() && typeof g.pid === "number" && !isPidAlive(g.pid);
  if (deadHere || (await ageMs(guard)) > GUARD_MAX_AGE_MS) await unlinkIfExists(guard);
}

/**
 * Creates `path` with `body` only if it does not exist; false when it does. The content is written
 * to a temp file first and hard-linked into place, so a reader never sees a partial file; where hard
 * links are unsupported it falls back to `open(path, "wx")`.
 */
async function createExclusive(path: string, body: string): Promise<boolean> {
  const tmp = await writeTempFile(path, body);
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    const code = errCode(err);
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
  let fh;
  try {
    fh = await open(path, "wx", FILE_MODE);
  } catch (err) {
    if (errCode(err) === "EEXIST") return false;
    throw err;
  }
  try {
    await fh.writeFile(body);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errCode(err) !== "ENOENT") throw err;
  }
}

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await lstat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
