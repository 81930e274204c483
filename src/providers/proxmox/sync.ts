/**
 * Small concurrency primitives the session needs: a token-bucket rate limiter (`spec.rateLimit`
 * requests per second, bursts up to one second's worth), a keyed mutex (serialise clones per template,
 * VMID allocation per session) and an abortable sleep.
 */

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }
    function onAbort(): void {
      clearTimeout(timer);
      reject(abortError(signal!));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The error an aborted wait rejects with (not retryable). */
export function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  const text = reason instanceof Error ? reason.message : "cancelled";
  return Object.assign(new Error(`cancelled: ${text}`), { code: "CANCELLED", retryable: false });
}

export { KeyedMutex, mapLimit, TokenBucket as RateLimiter } from "../concurrency.js";
