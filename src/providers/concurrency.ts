/**
 * Concurrency primitives every provider uses: a token-bucket rate limiter (`spec.rateLimit`), a
 * keyed mutex, and a bounded-concurrency map. One implementation, so the three providers behave
 * the same under load.
 */

/**
 * Token bucket: `rate` tokens per second, capacity `burst` (default `max(1, rate)`: bursts up to one
 * second's worth). Waiters are served in call order, so a burst of callers is spread evenly.
 * `limitTo` lowers the rate (never raises it), for limiters shared by several sessions where the
 * strictest wins; the capacity then becomes one second's worth of the new rate.
 */
export class TokenBucket {
  private tokens: number;
  private capacity: number;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();

  constructor(private rate: number, burst?: number) {
    this.capacity = Math.max(1, burst ?? rate);
    this.tokens = this.capacity;
  }

  /** Lowers the rate to `rate` when it is stricter than the current one. */
  limitTo(rate: number): void {
    if (rate >= this.rate) return;
    this.rate = rate;
    this.capacity = Math.max(1, rate);
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  /** Resolves when a request may be sent; resolves early (letting the request fail) when `signal` aborts. */
  take(signal?: { readonly aborted: boolean }): Promise<void> {
    const turn = this.queue.then(() => this.wait(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async wait(signal?: { readonly aborted: boolean }): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
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

/** Runs callbacks one at a time per key (different keys run concurrently). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` after every earlier `run` with the same key has settled (whether it threw or not). */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks the signal). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
