/**
 * The default state backend: files under `<manifest folder>/.vmsync/`.
 *
 * - `state.json`    the snapshot, replaced atomically (temp file, fsync, rename, fsync of the folder)
 * - `state.journal` batches committed since the snapshot, appended (only once the state is larger
 *                   than 64 KiB; folded into `state.json` when it grows and when the apply lock is
 *                   released) — see state-files.ts and state-journal.ts
 * - `history.jsonl` append-only, one HistoryEntry per line
 * - `lock.json`     the apply lock, naming its holder (see file-lock.ts)
 *
 * The folder is private (0700) and every file 0600; wider modes found on open are narrowed. Commits
 * from one process are serialised per state file (also across store instances). Commits from several
 * processes are only safe under the apply lock, which is how vmsync uses them.
 */
import { randomUUID } from "node:crypto";
import { realpath } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { HistoryEntry, LockInfo, StateChange, StateSnapshot, StateStore } from "./contract.js";
import { ensureFileMode, ensurePrivateDir, removeStaleTempFiles } from "./atomic-write.js";
import { acquireFileLock, forceRemoveLock, type FileLockHandle } from "./file-lock.js";
import { appendJsonLine, readJsonLines } from "./history-file.js";
import { stateIo } from "./state-io-error.js";
import { idle, serialise, stateFilesFor, type StateFiles } from "./state-files.js";

export { StateFileCorruptError } from "./state-files.js";

/** Options of {@link openFileStateStore}. */
export interface FileStateStoreOptions {
  /**
   * Stack name. Omitted or `"default"`: state lives directly in `.vmsync/`. Any other name keeps a
   * separate state in `.vmsync/stacks/<name>/`. Letters, digits, `.`, `_`, `-`; at most 63 characters.
   */
  stack?: string;
  /** Size of the state (bytes) above which commits go to the journal (default 64 KiB; tests lower it). */
  journalAboveBytes?: number;
}

const STACK_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A {@link StateStore} over files in one folder. Create it with {@link openFileStateStore}. */
export class FileStateStore implements StateStore {
  /** The path of `state.json` (also what StateLockedError names). */
  readonly location: string;
  readonly statePath: string;
  readonly journalPath: string;
  readonly historyPath: string;
  readonly lockPath: string;
  readonly #handles = new Set<FileLockHandle>();
  readonly #files: StateFiles;
  #closed = false;

  /** Use {@link openFileStateStore}; the constructor does no I/O. */
  constructor(
    /** The folder holding the files (`.vmsync/` or `.vmsync/stacks/<name>/`), resolved. */
    readonly folder: string,
    readonly stack: string,
    journalAboveBytes?: number,
  ) {
    this.statePath = join(folder, "state.json");
    this.journalPath = join(folder, "state.journal");
    this.historyPath = join(folder, "history.jsonl");
    this.lockPath = join(folder, "lock.json");
    this.location = this.statePath;
    this.#files = stateFilesFor(this.statePath, this.journalPath, journalAboveBytes === undefined ? {} : { journalAboveBytes });
  }

  /** The latest committed snapshot, or an empty one; throws {@link StateFileCorruptError} when unreadable. */
  async read(): Promise<StateSnapshot> {
    this.#assertOpen();
    return stateIo("read the state file", this.statePath, () => this.#files.read());
  }

  /**
   * Applies `changes` in order as one atomic, durable batch and returns the new serial. An empty
   * batch writes nothing and returns the current serial. Invalid batches throw before anything is
   * written. Serialised with other commits to the same file in this process (and written together
   * with those queued meanwhile).
   */
  commit(changes: StateChange[]): Promise<number> {
    this.#assertOpen();
    if (!Array.isArray(changes)) return Promise.reject(new TypeError("commit() expects an array of changes"));
    return stateIo("write the state file", this.statePath, () => this.#files.commit(changes));
  }

  /** Appends one entry to `history.jsonl`, durable before it resolves. */
  appendHistory(entry: HistoryEntry): Promise<void> {
    this.#assertOpen();
    if (!entry || typeof entry !== "object" || typeof entry.id !== "string") {
      return Promise.reject(new TypeError("appendHistory() expects a HistoryEntry with a string id"));
    }
    return serialise(this.historyPath, () => stateIo("append to the history file", this.historyPath, () => appendJsonLine(this.historyPath, entry)));
  }

  /** History entries, newest first; at most `limit` (a non-negative integer) when given. */
  async history(limit?: number): Promise<HistoryEntry[]> {
    this.#assertOpen();
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new RangeError(`history limit must be a non-negative integer, got ${limit}`);
    }
    const all = (await stateIo("read the history file", this.historyPath, () => readJsonLines(this.historyPath))) as HistoryEntry[];
    all.reverse();
    return limit === undefined ? all : all.slice(0, limit);
  }

  /**
   * Takes the apply lock (`lock.json`); see {@link acquireFileLock}. The lock is not re-entrant: a
   * second `lock()` while held, even from this process, throws StateLockedError.
   */
  async lock(info: Omit<LockInfo, "id" | "acquiredAt">): Promise<FileLockHandle> {
    this.#assertOpen();
    const full: LockInfo = {
      id: randomUUID(),
      host: info.host,
      pid: info.pid,
      user: info.user,
      command: info.command,
      acquiredAt: new Date().toISOString(),
    };
    // releasing the lock folds the journal into state.json, while the lock still keeps writers out
    const handle = await stateIo("take the state lock", this.lockPath, () => acquireFileLock(this.lockPath, full, this.location, { beforeRelease: () => this.#files.compact() }));
    for (const h of this.#handles) if (h.released) this.#handles.delete(h);
    this.#handles.add(handle);
    return handle;
  }

  /** Removes the lock whoever holds it; returns the previous holder (undefined if none or unreadable). */
  forceUnlock(): Promise<LockInfo | undefined> {
    this.#assertOpen();
    return stateIo("remove the state lock", this.lockPath, () => forceRemoveLock(this.lockPath));
  }

  /** Waits for this process's in-flight writes, releases locks taken through this store, and closes it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([idle(this.statePath), idle(this.historyPath)]);
    await Promise.all([...this.#handles].map((h) => h.release()));
    this.#handles.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`state store ${this.location} is closed`);
  }
}

/**
 * Opens (creating if needed) the file state of the manifest folder `dir`, which must exist. Creates
 * `.vmsync/` with mode 0700, narrows wider modes of existing state files to 0600, and removes temp
 * files left by a writer that died mid-write. Does not read `state.json` (so a corrupt state can
 * still be inspected and unlocked).
 */
export async function openFileStateStore(dir: string, opts: FileStateStoreOptions = {}): Promise<FileStateStore> {
  const stack = opts.stack ?? "default";
  if (!STACK_RE.test(stack)) {
    throw new Error(`invalid stack name ${JSON.stringify(stack)}: use letters, digits, ".", "_" or "-" (at most 63)`);
  }
  let folder = join(resolve(dir), ".vmsync");
  return stateIo("open the state folder", folder, async () => {
    await ensurePrivateDir(folder);
    if (stack !== "default") {
      await ensurePrivateDir(join(folder, "stacks"));
      folder = join(folder, "stacks", stack);
      await ensurePrivateDir(folder);
    }
    folder = await realpath(folder); // one mutex key per real file, whatever path it was opened by
    const store = new FileStateStore(folder, stack, opts.journalAboveBytes);
    await removeStaleTempFiles(folder);
    for (const f of [store.statePath, store.journalPath, store.historyPath, store.lockPath]) await ensureFileMode(f);
    return store;
  });
}
