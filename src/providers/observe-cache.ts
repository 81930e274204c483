import type { ObservedResource } from "./contract.js";

/**
 * One object's details as an earlier observe read them: under which cheap list data
 * (`fingerprint`), when (`readAt`, epoch ms), and the state record's `appliedAt` at that time
 * (`stamp`, "" for an object vmsync does not manage), so that anything vmsync applied since
 * invalidates the entry whatever the clocks say.
 */
export interface CachedObservation {
  /** The provider's key for the object, e.g. `qemu/pve1/101`. */
  key: string;
  fingerprint: string;
  readAt: number;
  stamp: string;
  observed: ObservedResource;
}

/** What an `ObserveCache` starts from. */
export interface ObserveCacheOptions {
  entries: CachedObservation[];
  /** Now (epoch ms), for the age of entries. */
  now: number;
  /** False for a full refresh: nothing is served, everything read is remembered. */
  reuse: boolean;
  /** `appliedAt` of each managed object's state record, by external id. */
  stamps: Map<string, string>;
}

/**
 * Observation cache of one provider for one observe (see `ObserveScope.cache`). The provider asks
 * `lookup` with an object's key, the fingerprint of its cheap list data and its full-read interval;
 * an entry is served only when the fingerprint and the stamp are unchanged and it is younger than
 * the interval spread per key over [½, 1] of it (so a fleet read at once is read again a slice at
 * a time, not all in one plan). `entries()` is what to keep for the next observe: what this one
 * served or read — objects no longer listed drop out.
 */
export class ObserveCache {
  private readonly old: Map<string, CachedObservation>;
  private readonly kept = new Map<string, CachedObservation>();
  /** Objects served from the cache and objects read, in this observe. */
  readonly counts = { served: 0, read: 0 };

  constructor(private readonly o: ObserveCacheOptions) {
    this.old = new Map(o.entries.map((e) => [e.key, e]));
  }

  /** The object's details from the cache (with `cachedAt` set), or undefined when they must be read. */
  lookup(key: string, fingerprint: string, fullReadIntervalMs: number): ObservedResource | undefined {
    const e = this.old.get(key);
    if (!this.o.reuse || !e || e.fingerprint !== fingerprint || e.stamp !== (this.o.stamps.get(e.observed.externalId) ?? "")) return undefined;
    if (this.o.now - e.readAt >= fullReadIntervalMs * spread(key) || e.readAt > this.o.now) return undefined;
    this.kept.set(key, e);
    this.counts.served++;
    return { ...e.observed, cachedAt: new Date(e.readAt).toISOString() };
  }

  /**
   * Records details just read for `key` (replacing any entry). Runtime addresses are left out: they
   * change without the config changing, so the provider reads them at every observe.
   */
  remember(key: string, fingerprint: string, observed: ObservedResource): void {
    const { cachedAt: _drop, ...fresh } = observed;
    if (fresh.status?.addresses) {
      const { addresses: _addresses, ...status } = fresh.status;
      fresh.status = status;
    }
    this.kept.set(key, { key, fingerprint, readAt: this.o.now, stamp: this.o.stamps.get(observed.externalId) ?? "", observed: fresh });
    this.counts.read++;
  }

  /** Drops the entry of `key` (its object was read again outside an observe). */
  forget(key: string): void {
    this.kept.delete(key);
  }

  /** True when the entries to keep differ from those the cache started from. */
  changed(): boolean {
    return this.counts.read > 0 || this.kept.size !== this.old.size || [...this.kept.values()].some((e) => this.old.get(e.key) !== e);
  }

  /** The entries to keep for the next observe. */
  entries(): CachedObservation[] {
    return [...this.kept.values()];
  }
}

/** A stable factor in [0.5, 1) per key (FNV-1a), spreading full reads over the interval. */
function spread(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return 0.5 + (h >>> 0) / 2 ** 33;
}
