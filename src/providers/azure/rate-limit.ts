/**
 * Per-subscription request rate limiting (`spec.rateLimit`, requests per second). One token bucket
 * per endpoint + subscription, shared by every session of the process that talks to it, so two
 * Provider manifests naming the same subscription stay under the limit together (the lower of their
 * rates wins). The bucket holds up to one second of requests, so short bursts pass at once.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(private rate: number) {
    this.tokens = Math.max(1, rate);
    this.last = Date.now();
  }

  /** Lowers the rate (never raises it: the strictest configuration wins). */
  limitTo(rate: number): void {
    this.rate = Math.min(this.rate, rate);
    this.tokens = Math.min(this.tokens, Math.max(1, this.rate));
  }

  /** Waits for a token; wakes early (and lets the request fail) when `signal` aborts. */
  acquire(signal?: { readonly aborted: boolean }): Promise<void> {
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async take(signal?: { readonly aborted: boolean }): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      if (signal?.aborted) return;
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
    }
  }
}

const limiters = new Map<string, RateLimiter>();

/** The shared limiter of a subscription at an endpoint, limited to `rate` requests per second. */
export function limiterFor(endpoint: string, subscriptionId: string, rate: number): RateLimiter {
  const key = `${endpoint.toLowerCase()}|${subscriptionId.toLowerCase()}`;
  let l = limiters.get(key);
  if (!l) limiters.set(key, (l = new RateLimiter(rate)));
  else l.limitTo(rate);
  return l;
}
