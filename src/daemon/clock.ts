/**
 * Time as the daemon sees it. Everything that waits (debounce, resync, backoff, schedules, change
 * windows) goes through a `Clock`, so unit tests drive time by hand and nothing sleeps for real.
 */
export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Calls `fn` once after `ms` of this clock's time; returns a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/**
 * A clock that starts at `startMs` and runs `speed` times faster than real time. Only for tests of
 * the whole process (`VMSYNC_TEST_CLOCK`): a cron schedule can then fire every real second while
 * the daemon still computes slots, snapshot names and history times from cron in UTC.
 */
export function scaledClock(startMs: number, speed: number, base: Clock = systemClock): Clock {
  const realStart = base.now();
  return {
    now: () => startMs + (base.now() - realStart) * speed,
    setTimer: (ms, fn) => base.setTimer(ms / speed, fn),
  };
}

/**
 * Parses the hidden test clock `START@SPEED`, START an ISO time or `now` (e.g. `now@60`). Use
 * `now` when providers are involved: they check operation deadlines against real time, so a
 * clock that starts in the past would see every deadline as already passed. Returns undefined
 * for an empty value; throws on a malformed one so a typo never silently uses real time.
 */
export function parseTestClock(value: string | undefined, base: Clock = systemClock): Clock | undefined {
  if (!value) return undefined;
  const m = /^(.+)@([0-9]+(?:\.[0-9]+)?)$/.exec(value.trim());
  const start = m ? (m[1] === "now" ? base.now() : Date.parse(m[1]!)) : NaN;
  const speed = m ? Number(m[2]) : NaN;
  if (!m || Number.isNaN(start) || !(speed > 0)) throw new Error(`VMSYNC_TEST_CLOCK must look like 2026-01-05T02:59:00Z@60, not "${value}"`);
  return scaledClock(start, speed, base);
}

/** Resolves after `ms` of `clock` time, or early when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const cancel = clock.setTimer(ms, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
