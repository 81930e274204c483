/**
 * Client-side limits of one TrueNAS session: a request rate (`spec.rateLimit`, requests per
 * second, token bucket) and a bound on calls in flight on the one socket, kept below the
 * middleware's per-connection limits (10 running, 20 in flight — reference §1.3).
 */

/** Most calls vmsync keeps in flight on one connection: under the server's soft limit of 10. */
export const MAX_IN_FLIGHT = 8;

/** A counting semaphore. */
export class Semaphore {
  private waiting: Array<() => void> = [];
  private used = 0;
  constructor(private readonly size: number) {}

  /** Takes a slot, waiting for one when all are in use. */
  async acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Gives a slot back (to the next waiter first). */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}

export { pause, TokenBucket as RateLimiter } from "../concurrency.js";
