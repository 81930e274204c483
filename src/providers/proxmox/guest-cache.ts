import type { ObservedResource } from "../contract.js";
import type { ObserveCache } from "../observe-cache.js";

/**
 * Serves each listed object from `cache` when it may, reads the rest with `read` (which returns the
 * entries it found with their observations) and remembers those. Without a cache, reads them all.
 * Generic over the list entry, so each guest type (QEMU, LXC) brings its own key and reader.
 */
export async function serveOrRead<E extends { summary: string }>(
  cache: ObserveCache | undefined,
  entries: E[],
  how: { key: (e: E) => string; intervalMs: number },
  read: (toRead: E[]) => Promise<ReadonlyArray<readonly [E, ObservedResource]>>,
): Promise<ObservedResource[]> {
  const out: ObservedResource[] = [];
  const toRead: E[] = [];
  for (const e of entries) {
    const hit = cache?.lookup(how.key(e), e.summary, how.intervalMs);
    if (hit) out.push(hit);
    else toRead.push(e);
  }
  for (const [e, o] of await read(toRead)) {
    cache?.remember(how.key(e), e.summary, o);
    out.push(o);
  }
  return out;
}
