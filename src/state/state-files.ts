/**
 * Reading and committing the file state — `state.json` (a snapshot, replaced atomically) plus
 * `state.journal` (batches committed since, appended; see state-journal.ts) — at a cost that
 * follows what changed, not the size of the state:
 *
 * - One `StateFiles` per state file in a process keeps the state in memory after the first read
 *   and serves later reads and commits from it while the files are unchanged on disk (checked by
 *   inode, size and mtime, so another process's commit is always seen).
 * - Commits queued while one is being written are written together: one append, one fsync
 *   (group commit); each still gets its own serial and is durable before its promise resolves.
 * - A small state (below 64 KiB) is simply rewritten on every commit, as before; a larger one gets
 *   its batches appended to the journal, which is folded into a new snapshot (compaction) once it
 *   outgrows the snapshot (so writes stay proportional to what changed, amortised), and whenever
 *   the apply lock is released, so `state.json` is complete after every apply.
 *
 * Crash safety: a snapshot is replaced atomically (temp file, fsync, rename, fsync of the folder);
 * a batch is acknowledged only after its journal line is fsynced; a torn journal tail is ignored
 * on read and cut off before the next append; a crash between a compaction's rename and its
 * emptying of the journal leaves entries the new snapshot already holds, which replay skips.
 * Readers in other processes read the journal before the snapshot, so a compaction racing them
 * yields either state, never a mix (a journal that does not follow on from the snapshot is read
 * again).
 */
import { readFile, stat } from "node:fs/promises";
import { emptyState, type StateChange, type StateSnapshot } from "./contract.js";
import { applyInPlace, checkedCopy, checkSnapshot, cloneJson } from "./apply-changes.js";
import { errCode, writeFileAtomic } from "./atomic-write.js";
import { appendJournal, emptyJournal, encodeEntries, parseJournal, readJournal, replayOnto, type JournalEntry } from "./state-journal.js";

/** Thrown when `state.json` exists but is not a snapshot. Never treated as empty: that would orphan everything. */
export class StateFileCorruptError extends Error {
  readonly code = "STATE_CORRUPT";
  readonly retryable = false;
  /** What to do about it. */
  readonly hint =
    "vmsync will not treat it as empty, because it would then forget every resource it manages. " +
    "Restore the file from a backup or fix it by hand; remove it only if this folder really manages nothing yet.";
  constructor(readonly path: string, readonly detail: string) {
    super(`state file ${path} is unreadable: ${detail}`);
    this.name = "StateFileCorruptError";
  }
}

/** When the journal is used and when it is folded into a new snapshot (bytes). */
export interface StateFilesOptions {
  /** Below this size of the state every commit rewrites `state.json` (default 64 KiB). */
  journalAboveBytes?: number;
  /** The journal is compacted once it is larger than both the snapshot and this (default 64 KiB). */
  compactAboveBytes?: number;
}

const DEFAULT_BYTES = 64 * 1024;

interface Loaded {
  snapshot: StateSnapshot;
  /** Bytes of `state.json`. */
  baseBytes: number;
  /** Bytes of valid journal lines (the journal file may be longer by a torn tail). */
  journalBytes: number;
  journalFileBytes: number;
  /** Identity of both files as last seen (inode, size, mtime). */
  id: string;
}

const queues = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier call with the same key has settled (a per-key mutex). */
export function serialise<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(fn);
  const tail = run.then(() => {}, () => {});
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

/** Resolves when nothing is queued for `key`. */
export function idle(key: string): Promise<void> {
  return queues.get(key) ?? Promise.resolve();
}

const instances = new Map<string, StateFiles>();

/** The process's `StateFiles` of a state file (created on first use, with the first caller's options). */
export function stateFilesFor(statePath: string, journalPath: string, opts: StateFilesOptions = {}): StateFiles {
  let f = instances.get(statePath);
  if (!f) instances.set(statePath, (f = new StateFiles(statePath, journalPath, opts)));
  return f;
}

/** See the module comment. */
export class StateFiles {
  private loaded: Loaded | undefined;
  private pending: Array<{ changes: readonly StateChange[]; resolve: (serial: number) => void; reject: (err: unknown) => void }> = [];

  private readonly journalAboveBytes: number;
  private readonly compactAboveBytes: number;

  constructor(readonly statePath: string, readonly journalPath: string, opts: StateFilesOptions = {}) {
    this.journalAboveBytes = opts.journalAboveBytes ?? DEFAULT_BYTES;
    this.compactAboveBytes = opts.compactAboveBytes ?? DEFAULT_BYTES;
  }

  /** The latest committed snapshot (a copy the caller may keep and change). */
  read(): Promise<StateSnapshot> {
    return serialise(this.statePath, async () => {
      const cached = this.loaded !== undefined && (await this.fileId()).id === this.loaded.id;
      const loaded = await this.current();
      if (cached) return cloneJson(loaded.snapshot);
      // just parsed from disk: hand that out and forget it (a command that only reads — plan —
      // never pays for a copy; the next commit reads the files again)
      this.loaded = undefined;
      return loaded.snapshot;
    });
  }

  /** Commits one batch; resolves with its serial once it is durable (see the module comment). */
  commit(changes: readonly StateChange[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      if (this.pending.length === 1) void serialise(this.statePath, () => this.drain());
    });
  }

  /** Folds the journal into a new `state.json` when it holds anything. */
  compact(): Promise<void> {
    return serialise(this.statePath, async () => {
      const loaded = await this.current();
      if (loaded.journalFileBytes > 0) await this.writeSnapshot(loaded);
    });
  }

  private async drain(): Promise<void> {
    const group = this.pending.splice(0);
    let loaded: Loaded;
    try {
      loaded = await this.current();
    } catch (err) {
      for (const g of group) g.reject(err);
      return;
    }
    const done: Array<{ resolve: (serial: number) => void; reject: (err: unknown) => void; serial: number }> = [];
    const entries: JournalEntry[] = [];
    for (const g of group) {
      let copy: StateChange[];
      try {
        copy = checkedCopy(g.changes);
      } catch (err) {
        g.reject(err);
        continue;
      }
      if (copy.length > 0) {
        applyInPlace(loaded.snapshot, copy);
        loaded.snapshot.serial++;
        entries.push({ serial: loaded.snapshot.serial, changes: copy });
      }
      done.push({ ...g, serial: loaded.snapshot.serial });
    }
    try {
      if (entries.length) await this.persist(loaded, entries);
    } catch (err) {
      this.loaded = undefined; // what is on disk is unknown now: read it again next time
      for (const d of done) d.reject(err);
      return;
    }
    for (const d of done) d.resolve(d.serial);
  }

  private async persist(loaded: Loaded, entries: JournalEntry[]): Promise<void> {
    const lines = encodeEntries(entries);
    if (loaded.baseBytes + loaded.journalBytes + lines.length < this.journalAboveBytes) {
      await this.writeSnapshot(loaded);
      return;
    }
    loaded.journalBytes = await appendJournal(this.journalPath, lines, loaded.journalBytes);
    loaded.journalFileBytes = loaded.journalBytes;
    if (loaded.journalBytes > Math.max(this.compactAboveBytes, loaded.baseBytes)) await this.writeSnapshot(loaded);
    else loaded.id = (await this.fileId()).id;
  }

  private async writeSnapshot(loaded: Loaded): Promise<void> {
    const text = JSON.stringify(loaded.snapshot, null, 2) + "\n";
    await writeFileAtomic(this.statePath, text);
    if (loaded.journalFileBytes > 0) await emptyJournal(this.journalPath);
    loaded.baseBytes = Buffer.byteLength(text);
    loaded.journalBytes = 0;
    loaded.journalFileBytes = 0;
    loaded.id = (await this.fileId()).id;
  }

  /** The state in memory when the files are as last seen; otherwise read from disk. */
  private async current(): Promise<Loaded> {
    if (this.loaded && (await this.fileId()).id === this.loaded.id) return this.loaded;
    this.loaded = undefined;
    for (let attempt = 0; ; attempt++) {
      const before = await this.fileId();
      const journal = await readJournal(this.journalPath);
      const { snapshot, bytes } = await this.readSnapshot();
      const { entries, validBytes } = parseJournal(this.journalPath, journal);
      const follows = replayOnto(snapshot, entries, applyInPlace);
      const after = await this.fileId();
      if (follows && after.id === before.id) {
        this.loaded = { snapshot, baseBytes: bytes, journalBytes: validBytes, journalFileBytes: after.journalSize, id: after.id };
        return this.loaded;
      }
      if (after.id === before.id || attempt >= 5) {
        throw new StateFileCorruptError(this.statePath, `${this.journalPath} does not follow on from it (serial ${snapshot.serial}, journal from ${entries[0]?.serial ?? "?"})`);
      }
    }
  }

  private async readSnapshot(): Promise<{ snapshot: StateSnapshot; bytes: number }> {
    let text: string;
    try {
      text = await readFile(this.statePath, "utf8");
    } catch (err) {
      if (errCode(err) === "ENOENT") return { snapshot: emptyState(), bytes: 0 };
      throw err;
    }
    if (text.trim() === "") throw new StateFileCorruptError(this.statePath, "the file is empty");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new StateFileCorruptError(this.statePath, `invalid JSON (${(err as Error).message})`);
    }
    const checked = checkSnapshot(parsed);
    if (typeof checked === "string") throw new StateFileCorruptError(this.statePath, checked);
    return { snapshot: checked, bytes: Buffer.byteLength(text) };
  }

  private async fileId(): Promise<{ id: string; journalSize: number }> {
    const one = async (p: string) => {
      try {
        const s = await stat(p, { bigint: true });
        return { id: `${s.ino}:${s.size}:${s.mtimeNs}`, size: Number(s.size) };
      } catch (err) {
        if (errCode(err) === "ENOENT") return { id: "none", size: 0 };
        throw err;
      }
    };
    const [s, j] = await Promise.all([one(this.statePath), one(this.journalPath)]);
    return { id: `${s.id}|${j.id}`, journalSize: j.size };
  }
}
