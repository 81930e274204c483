import { describe, expect, it } from "vitest";
import type { ObservedResource } from "../../../src/providers/contract.js";
import { ObserveCache, type CachedObservation } from "../../../src/providers/observe-cache.js";

const MIN = 60_000;
const obs = (id: string): ObservedResource => ({ kind: "VirtualMachine", externalId: id, name: id, spec: { memory: 1024 } });
const entry = (key: string, o: Partial<CachedObservation> = {}): CachedObservation => ({ key, fingerprint: "fp", readAt: 0, stamp: "t1", observed: obs(key), ...o });
const cache = (entries: CachedObservation[], o: { now?: number; reuse?: boolean; stamps?: Record<string, string> } = {}) =>
  new ObserveCache({ entries, now: o.now ?? MIN, reuse: o.reuse ?? true, stamps: new Map(Object.entries(o.stamps ?? { a: "t1", b: "t1" })) });

describe("ObserveCache", () => {
  it("serves an entry only with the same fingerprint, the same state stamp and within the interval", () => {
    const c = cache([entry("a"), entry("b")]);
    expect(c.lookup("a", "fp", 15 * MIN)).toMatchObject({ externalId: "a", cachedAt: new Date(0).toISOString() });
    expect(c.lookup("b", "other", 15 * MIN)).toBeUndefined();
    expect(c.lookup("missing", "fp", 15 * MIN)).toBeUndefined();
    expect(cache([entry("a")], { stamps: { a: "t2" } }).lookup("a", "fp", 15 * MIN)).toBeUndefined(); // applied since
    expect(cache([entry("a")], { stamps: {} }).lookup("a", "fp", 15 * MIN)).toBeUndefined(); // forgotten from state since
    expect(cache([entry("a")], { reuse: false }).lookup("a", "fp", 15 * MIN)).toBeUndefined();
    expect(cache([entry("a")], { now: 15 * MIN }).lookup("a", "fp", 15 * MIN)).toBeUndefined();
    expect(cache([entry("a")]).lookup("a", "fp", 0)).toBeUndefined();
  });

  it("spreads expiry over the second half of the interval, so a fleet read at once is read again a slice at a time", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `qemu/pve1/${100 + i}`);
    const served = (now: number) => {
      const c = new ObserveCache({ entries: keys.map((k) => ({ ...entry(k), stamp: "" })), now, reuse: true, stamps: new Map() });
      return keys.filter((k) => c.lookup(k, "fp", 60 * MIN)).length;
    };
    expect(served(29 * MIN)).toBe(200);
    expect(served(45 * MIN)).toBeGreaterThan(40);
    expect(served(45 * MIN)).toBeLessThan(160);
    expect(served(60 * MIN)).toBe(0);
  });

  it("keeps for next time what it served or read, not what is no longer listed", () => {
    const c = cache([entry("a"), entry("b")]);
    c.lookup("a", "fp", 15 * MIN);
    c.remember("c", "fp2", { ...obs("c"), cachedAt: "x" });
    expect(c.entries().map((e) => [e.key, e.readAt, e.observed.cachedAt])).toEqual([["a", 0, undefined], ["c", MIN, undefined]]);
    c.forget("a");
    expect(c.entries().map((e) => e.key)).toEqual(["c"]);
    expect(c.counts).toEqual({ served: 1, read: 1 });
  });

  it("says whether there is anything new to save", () => {
    const served = cache([entry("a"), entry("b")]);
    served.lookup("a", "fp", 15 * MIN);
    served.lookup("b", "fp", 15 * MIN);
    expect(served.changed()).toBe(false);
    const dropped = cache([entry("a"), entry("b")]);
    dropped.lookup("a", "fp", 15 * MIN);
    expect(dropped.changed()).toBe(true);
    const read = cache([]);
    read.remember("c", "fp", obs("c"));
    expect(read.changed()).toBe(true);
  });
});
