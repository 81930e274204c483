import { setMaxListeners } from "node:events";

/** The cancellation of one step (see `stepSignal`). */
export interface StepSignal {
  /** Aborted when the run is aborted or the step's time is up. */
  signal: AbortSignal;
  /** True when it was the step's time that ran out. */
  timedOut(): boolean;
  /** Ends it: clears the timer and stops following the run's signal. Call once the step is over. */
  release(): void;
}

/**
 * The signal of one step: aborted when `run` is (a second Ctrl-C) or after `ms` (the step's
 * deadline). A controller and a timer that `release()` clears, rather than AbortSignal.any and
 * AbortSignal.timeout: Node keeps those alive until they fire — 15 minutes per step by default —
 * together with every listener a provider's client left on them, and an apply of a fleet runs
 * thousands of steps.
 */
export function stepSignal(run: AbortSignal, ms: number): StepSignal {
  const own = new AbortController();
  let timedOut = false;
  // the reason AbortSignal.timeout gives, so that providers see the deadline as they did
  const timer = setTimeout(() => ((timedOut = true), own.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"))), ms);
  timer.unref();
  const follow = () => own.abort(run.reason);
  if (run.aborted) follow();
  else {
    // one listener per step in flight: their number is bounded by the run's parallelism, not a leak
    setMaxListeners(0, run);
    run.addEventListener("abort", follow, { once: true });
  }
  return {
    signal: own.signal,
    timedOut: () => timedOut,
    release() {
      clearTimeout(timer);
      run.removeEventListener("abort", follow);
    },
  };
}
