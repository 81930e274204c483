import type { Clock } from "./clock.js";

/** `intervalMs` spread by ±`jitter` (a share, e.g. 0.1), so several daemons do not resync in step. */
export function jittered(intervalMs: number, jitter: number, random: () => number): number {
  return Math.max(1, Math.round(intervalMs * (1 + jitter * (2 * random() - 1))));
}

/**
 * The daemon's wake-ups, each a single named timer on the injected clock: the periodic resync
 * (re-armed after every pass, so a pass triggered by a file change postpones it), the end of a
 * resource's backoff, the opening of a change window, the next git poll. Setting a name again
 * replaces its timer; `stop()` cancels all.
 */
export class Wakeups {
  private readonly timers = new Map<string, { at: number; cancel: () => void }>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  /** Calls `fn` at `at` (clock time) under `name`, replacing an earlier timer of that name. */
  at(name: string, at: number, fn: () => void): void {
    if (this.stopped) return;
    this.cancel(name);
    const cancel = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.timers.delete(name);
      fn();
    });
    this.timers.set(name, { at, cancel });
  }

  /** Like `at`, but keeps an earlier timer of that name when it fires sooner. */
  atEarliest(name: string, at: number, fn: () => void): void {
    const existing = this.timers.get(name);
    if (existing && existing.at <= at) return;
    this.at(name, at, fn);
  }

  /** Cancels one timer. */
  cancel(name: string): void {
    this.timers.get(name)?.cancel();
    this.timers.delete(name);
  }

  /** When the timer `name` fires (clock time), if set. */
  when(name: string): number | undefined {
    return this.timers.get(name)?.at;
  }

  /** Cancels every timer and accepts no more. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
