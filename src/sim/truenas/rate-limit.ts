/**
 * The unauthenticated-call rate limit (reference §2.3): at most `max` calls per `windowMs` per
 * (method, client IP); the cache holds at most 100 keys and is cleared every 10 minutes.
 */

/** Settings of the limiter; `delayMs` is how long the server waits before answering EBUSY. */
export interface RateLimitSettings {
  max: number;
  windowMs: number;
  delayMs: number;
}

/** Defaults: the middleware's 20 calls / 60 s; the 1–10 s penalty delay is 0 here (fast tests). */
export const defaultRateLimit: RateLimitSettings = { max: 20, windowMs: 60_000, delayMs: 0 };

/** Counts calls per key in a sliding window. */
export class RateLimiter {
  private hits = new Map<string, number[]>();
  private clearedAt = Date.now();

  constructor(readonly settings: RateLimitSettings) {}

  /** Records a call; false when the key exceeded its budget. */
  hit(method: string, ip: string, now = Date.now()): boolean {
    if (now - this.clearedAt > 600_000) {
      this.hits.clear();
      this.clearedAt = now;
    }
    const key = `${method}|${ip}`;
    let list = this.hits.get(key);
    if (!list) {
      if (this.hits.size >= 100) this.hits.delete(this.hits.keys().next().value!);
      list = [];
      this.hits.set(key, list);
    }
    while (list.length && now - list[0]! > this.settings.windowMs) list.shift();
    list.push(now);
    return list.length <= this.settings.max;
  }
}
