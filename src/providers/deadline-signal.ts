import { setMaxListeners } from "node:events";

/** A cancellation with a deadline (see `deadlineSignal`). */
export interface DeadlineSignal {
  /** Aborted when `outer` is or when the time is up. */
  signal: AbortSignal;
  /** True when it was the time that ran out. */
  timedOut(): boolean;
  /** Ends it: clears the timer and stops following `outer`. Call once the work is over. */
  release(): void;
}

/**
 * A signal aborted when `outer` is (with its reason) or after `ms` (with the TimeoutError
 * AbortSignal.timeout gives) — for one apply step or one request. A controller and a timer that
 * `release()` clears, rather than AbortSignal.any and AbortSignal.timeout: Node keeps those alive
 * until they fire, together with every listener a client left on them (the Azure SDK removes its
 * own only after the request is over), so each finished request or step stayed in memory for its
 * whole timeout — 60 s per Azure request, 15 minutes per step.
 */
export function deadlineSignal(outer: AbortSignal | undefined, ms: number): DeadlineSignal {
  const own = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), own.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"))), ms);
  timer.unref();
  const follow = () => own.abort(outer?.reason);
  if (outer?.aborted) follow();
  else if (outer) {
    // one listener per step or request in flight: bounded by the concurrency limits, not a leak
    setMaxListeners(0, outer);
    outer.addEventListener("abort", follow, { once: true });
  }
  return {
    signal: own.signal,
    timedOut: () => timedOut,
    release() {
      clearTimeout(timer);
      outer?.removeEventListener("abort", follow);
    },
  };
}
