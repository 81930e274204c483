/**
 * SIGINT/SIGTERM handling for long runs. The first signal asks to stop (nothing new starts,
 * in-flight steps finish and are recorded); a second one aborts in-flight steps too. `dispose()`
 * removes the handlers.
 */
export function interruptible(onFirst: () => void): { stop: AbortController; abort: AbortController; dispose: () => void } {
  const stop = new AbortController();
  const abort = new AbortController();
  const handler = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      onFirst();
    } else abort.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return { stop, abort, dispose: () => (process.off("SIGINT", handler), process.off("SIGTERM", handler)) };
}
