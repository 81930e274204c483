/**
 * Per-subscription request rate limiting (`spec.rateLimit`, requests per second). One token bucket
 * per endpoint + subscription, shared by every session of the process that talks to it, so two
 * Provider manifests naming the same subscription stay under the limit together (the lower of their
 * rates wins). The bucket holds up to one second of requests, so short bursts pass at once.
 */
import { TokenBucket } from "../concurrency.js";

/** The shared per-subscription limiter. */
export type RateLimiter = TokenBucket;

const limiters = new Map<string, RateLimiter>();

/** The shared limiter of a subscription at an endpoint, limited to `rate` requests per second. */
export function limiterFor(endpoint: string, subscriptionId: string, rate: number): RateLimiter {
  const key = `${endpoint.toLowerCase()}|${subscriptionId.toLowerCase()}`;
  let l = limiters.get(key);
  if (!l) limiters.set(key, (l = new TokenBucket(rate)));
  else l.limitTo(rate);
  return l;
}
