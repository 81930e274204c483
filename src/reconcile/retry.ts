import { isTransient } from "../providers/contract.js";

/** Retry settings: attempts in all (first try included), and the backoff bounds. */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** Default retry policy: 6 attempts, 0.5 s doubling up to 30 s, with jitter. */
export const defaultRetry: RetryPolicy = { attempts: 6, baseMs: 500, maxMs: 30_000 };

/**
 * The delay before retry number `attempt` (1 = first retry): exponential backoff with "equal
 * jitter" (half fixed, half random), never less than what the provider asked for (Retry-After).
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}

/** Hooks so that tests can run retries without waiting. */
export interface RetryRuntime {
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  now(): number;
}

/** Real time: setTimeout-based sleep that wakes early when the signal aborts. */
export const realRuntime: RetryRuntime = {
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
  random: Math.random,
  now: Date.now,
};

/**
 * Runs `op` until it succeeds, fails permanently, runs out of attempts, would pass the deadline, or
 * the signal aborts. Only transient errors (`retryable: true`) are retried.
 */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  opts: { policy: RetryPolicy; runtime: RetryRuntime; deadline: number; signal: AbortSignal; onRetry?: (attempt: number, delayMs: number, err: unknown) => void },
): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await op(attempt), attempts: attempt };
    } catch (err) {
      const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs;
      const delay = backoffDelay(opts.policy, attempt, opts.runtime.random, retryAfter);
      const last = attempt >= opts.policy.attempts || !isTransient(err) || opts.signal.aborted || opts.runtime.now() + delay > opts.deadline;
      if (last) throw Object.assign(err as object, { attempts: attempt });
      opts.onRetry?.(attempt + 1, delay, err);
      await opts.runtime.sleep(delay, opts.signal);
    }
  }
}
