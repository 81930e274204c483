/**
 * Pacing of ARM requests, shared by every session of the process that talks to one subscription at
 * one endpoint (two Provider manifests naming the same subscription stay under the limits together).
 *
 * - Without `spec.rateLimit`: ARM's own token buckets per subscription and principal — reads
 *   (GET, HEAD; long-running-operation polls are reads) 250 tokens refilled at 25/s, writes (PUT,
 *   PATCH, POST) and deletes 200 tokens refilled at 10/s each (see `ARM_BUCKETS`). Bursts pass at
 *   once; a long run settles at the refill rates, so ARM never has to throttle vmsync.
 * - With `spec.rateLimit`: one bucket of that many requests per second for every request (bursts of
 *   one second's worth), for subscriptions with other limits and for the simulator; when several
 *   manifests give the subscription different rates, the lowest wins.
 */
import { ARM_BUCKETS } from "../defaults.js";
import { TokenBucket } from "../concurrency.js";

/** Waits until a request of `method` may be sent (resolves early when `signal` aborts). */
export interface RequestPacer {
  take(method: string, signal?: { readonly aborted: boolean }): Promise<void>;
}

const pacers = new Map<string, RequestPacer>();

function armPacer(): RequestPacer {
  const read = new TokenBucket(ARM_BUCKETS.read.perSecond, ARM_BUCKETS.read.burst);
  const write = new TokenBucket(ARM_BUCKETS.write.perSecond, ARM_BUCKETS.write.burst);
  const del = new TokenBucket(ARM_BUCKETS.delete.perSecond, ARM_BUCKETS.delete.burst);
  return {
    take(method, signal) {
      const m = method.toUpperCase();
      return (m === "GET" || m === "HEAD" ? read : m === "DELETE" ? del : write).take(signal);
    },
  };
}

/** The shared pacer of a subscription at an endpoint (see the module comment). */
export function pacerFor(endpoint: string, subscriptionId: string, rate: number | undefined): RequestPacer {
  const key = `${endpoint.toLowerCase()}|${subscriptionId.toLowerCase()}|${rate === undefined ? "arm" : "fixed"}`;
  let p = pacers.get(key);
  if (rate === undefined) {
    if (!p) pacers.set(key, (p = armPacer()));
    return p;
  }
  if (p) {
    (p as RequestPacer & { bucket: TokenBucket }).bucket.limitTo(rate);
    return p;
  }
  const bucket = new TokenBucket(rate);
  const fixed = { bucket, take: (_method: string, signal?: { readonly aborted: boolean }) => bucket.take(signal) };
  pacers.set(key, fixed);
  return fixed;
}
