/**
 * The one writer behind every simulator's persisted world (`proxmox-world.json`, `truenas-world.json`,
 * `azure-world.json`): coalescing, atomic, and spaced in proportion to what serialising costs.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../state/atomic-write.js";

/**
 * Serialising a world of thousands of VMs blocks the event loop for tens of milliseconds; writes are
 * spaced by at least this many times the last serialisation, so a growing world does not slow every
 * request more and more (at 10,000 VMs a write every 20–25 ms left little time for anything else).
 */
const SPACING_FACTOR = 10;

/**
 * How a simulator's world is written. Only `file`, `serialize` and `delayMs` are needed; the rest
 * are where the simulators differ, mostly in what a failed write does (see each option).
 */
export interface WorldWriterOptions {
  /** The file replaced by each write (its temp files go next to it). */
  file: string;
  /**
   * The world as text. Called once per write, synchronously when the write starts, so the text holds
   * every change marked before it; a throw counts as a failed write.
   */
  serialize: () => string;
  /** The shortest time from a change (or from the end of a write) to the next write, in ms. */
  delayMs: number;
  /** Called with the error of every failed write (e.g. to warn); must not throw. */
  onError?: (err: unknown) => void;
  /** `flush()` (and `close()`) rejects with `lastError` while the newest write has failed. */
  rejectFlush?: boolean;
  /** Creates the file's folder (and parents) before every write, so a folder removed meanwhile is made again rather than failing the write. */
  makeDir?: boolean;
  /** A pending write does not keep the process alive. */
  unref?: boolean;
}

/**
 * Persists a world through `serialize()`. `markDirty()` schedules one write `delayMs` later (or ten
 * times the last serialisation, whichever is longer) however many changes arrive; a change during a
 * write schedules exactly one more, equally spaced. Each write replaces `file` atomically (temp file
 * with mode 0600, fsync, rename, fsync of the folder): readers see the old or the new world, never a
 * mix, and the file stays private (it holds the simulator's credentials). Only one write runs at a
 * time. A failed write is not retried by itself: the next change (or flush after one) writes again.
 */
export class WorldWriter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private lastSerialiseMs = 0;
  private completed = 0;
  // boxed so that even a thrown `undefined` counts as a failure
  private failure: { error: unknown } | undefined;

  constructor(private readonly opts: WorldWriterOptions) {}

  /** Writes completed so far (coalescing makes this far smaller than the number of changes). */
  get writes(): number {
    return this.completed;
  }

  /** The error of the newest write when it failed; undefined once a write succeeds (or before any fails). */
  get lastError(): unknown {
    return this.failure?.error;
  }

  /** Notes that the world changed: a write follows (see the class). Ignored after `close()`. */
  markDirty(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer || this.running) return; // the pending write, or the one after the running one, takes it
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, Math.max(this.opts.delayMs, this.lastSerialiseMs * SPACING_FACTOR));
    if (this.opts.unref) this.timer.unref();
  }

  /**
   * Writes now, without waiting for the spacing, until nothing marked (before or during the flush) is
   * left unwritten, then resolves — or rejects with `lastError` when `rejectFlush` is set and the
   * newest write failed. Without `rejectFlush` it never rejects.
   */
  async flush(): Promise<void> {
    while (this.running || this.dirty) {
      this.cancelTimer();
      await (this.running ?? this.run());
    }
    this.cancelTimer();
    if (this.opts.rejectFlush && this.failure) throw this.failure.error;
  }

  /** Flushes (as `flush()`), then ignores further changes: the simulator is closing. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
    }
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts one write of everything marked so far (or joins the running one); never rejects. */
  private run(): Promise<void> {
    // `running` is set only once serialize() has returned, so a markDirty() from inside it can arm
    // a timer that fires mid-write; joining keeps writes one at a time (the change stays dirty).
    if (this.running) return this.running;
    this.dirty = false;
    this.running = this.write().finally(() => {
      this.running = undefined;
      if (this.dirty) this.markDirty();
    });
    return this.running;
  }

  private async write(): Promise<void> {
    try {
      const started = performance.now();
      const text = this.opts.serialize();
      this.lastSerialiseMs = performance.now() - started;
      if (this.opts.makeDir) await mkdir(dirname(this.opts.file), { recursive: true });
      await writeFileAtomic(this.opts.file, text);
      this.completed++;
      this.failure = undefined;
    } catch (err) {
      this.failure = { error: err };
      this.opts.onError?.(err);
    }
  }
}
