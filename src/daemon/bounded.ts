/**
 * Waiting with a bound, for the daemon's shutdown: nothing it waits for (a reconcile pass, a
 * snapshot round, a webhook, a socket) may hold it past its grace period.
 */

/**
 * Resolves true when `work` settles within `ms` (real time), false when the time passes first or
 * `cut` aborts first. Never rejects.
 */
export function settlesWithin(work: Promise<unknown>, ms: number, cut?: AbortSignal): Promise<boolean> {
  if (cut?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (settled: boolean) => {
      clearTimeout(timer);
      cut?.removeEventListener("abort", onCut);
      resolve(settled);
    };
    const onCut = () => done(false);
    const timer = setTimeout(() => done(false), Math.max(0, ms));
    cut?.addEventListener("abort", onCut, { once: true });
    work.then(() => done(true), () => done(true));
  });
}
