import type { Clock } from "./clock.js";

/**
 * Collects items (changed file paths) and fires once they have been quiet for `waitMs`, so that an
 * editor's burst of writes (temp file, rename, chmod) becomes one reconcile. `maxWaitMs` bounds the
 * delay when changes never stop.
 */
export class Debouncer<T> {
  private items = new Set<T>();
  private cancel: (() => void) | undefined;
  private firstAt: number | undefined;

  constructor(
    private readonly opts: { clock: Clock; waitMs: number; maxWaitMs?: number },
    private readonly fire: (items: T[]) => void,
  ) {}

  /** Adds an item and restarts the quiet period. */
  push(item: T): void {
    this.items.add(item);
    const now = this.opts.clock.now();
    this.firstAt ??= now;
    const maxWait = this.opts.maxWaitMs ?? this.opts.waitMs * 10;
    const wait = Math.min(this.opts.waitMs, Math.max(0, this.firstAt + maxWait - now));
    this.cancel?.();
    this.cancel = this.opts.clock.setTimer(wait, () => this.flush());
  }

  /** Fires now with what was collected (nothing when empty). */
  flush(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.firstAt = undefined;
    if (this.items.size === 0) return;
    const items = [...this.items];
    this.items.clear();
    this.fire(items);
  }

  /** Drops what was collected without firing. */
  dispose(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.items.clear();
  }
}
