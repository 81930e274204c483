import type { Clock } from "../../../src/daemon/clock.js";

/** Lets pending promise callbacks (and quick I/O) run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/**
 * A clock moved by hand: `advance(ms)` fires due timers in time order, letting promises settle
 * after each, so daemon logic runs as if that much time had passed, instantly.
 */
export class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 0;

  constructor(private t = Date.parse("2026-01-05T00:00:00Z")) {}

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
  }

  /** Number of timers armed. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x.id !== due.id);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }

  /** Jumps to an absolute time (firing what falls due). */
  async advanceTo(time: number | string): Promise<void> {
    const at = typeof time === "string" ? Date.parse(time) : time;
    await this.advance(Math.max(0, at - this.t));
  }
}
