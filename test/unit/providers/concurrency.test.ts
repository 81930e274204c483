import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyedMutex, mapLimit, TokenBucket } from "../../../src/providers/concurrency.js";

describe("TokenBucket (fake clock)", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("lets a one-second burst through, then spreads the rest at the rate", async () => {
    const bucket = new TokenBucket(10);
    const at: number[] = [];
    const all = Promise.all(Array.from({ length: 15 }, () => bucket.take().then(() => at.push(Date.now()))));
    await vi.runAllTimersAsync();
    await all;
    expect(at.slice(0, 10).every((t) => t === 0)).toBe(true);
    expect(at[14]).toBeGreaterThanOrEqual(500);
    expect(at[14]).toBeLessThanOrEqual(600);
  });

  it("limitTo only ever lowers the rate", async () => {
    const bucket = new TokenBucket(2);
    bucket.limitTo(100);
    const at: number[] = [];
    const all = Promise.all(Array.from({ length: 4 }, () => bucket.take().then(() => at.push(Date.now()))));
    await vi.runAllTimersAsync();
    await all;
    expect(at[3]).toBeGreaterThanOrEqual(1000);
  });
});

describe("KeyedMutex and mapLimit", () => {
  it("serialises one key, runs other keys alongside, and survives a failing holder", async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string, name: string, fail = false) => m.run(key, async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${name}`);
      if (fail) throw new Error("boom");
    });
    await Promise.allSettled([job("a", "a1", true), job("a", "a2"), job("b", "b1")]);
    expect(log.indexOf("end a1")).toBeLessThan(log.indexOf("start a2"));
    expect(log.indexOf("start b1")).toBeLessThan(log.indexOf("end a1"));
  });

  it("keeps order and the limit", async () => {
    let inFlight = 0;
    let max = 0;
    const out = await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, 8 - x));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(max).toBe(3);
  });
});
