import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pacerFor } from "../../../src/providers/azure/rate-limit.js";

/** When each of `methods` was let through (fake ms since 0). */
async function times(take: (m: string) => Promise<void>, methods: string[]): Promise<number[]> {
  const at: number[] = new Array(methods.length);
  const all = Promise.all(methods.map((m, i) => take(m).then(() => void (at[i] = Date.now()))));
  await vi.runAllTimersAsync();
  await all;
  return at;
}

describe("ARM request pacing (fake clock)", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it("without rateLimit keeps to ARM's buckets: reads burst 250 then 25/s, writes and deletes their own 200 then 10/s", async () => {
    const pacer = pacerFor("https://arm.test", "sub-arm", undefined);
    const at = await times((m) => pacer.take(m), [...Array(260).fill("GET"), ...Array(205).fill("PUT"), ...Array(3).fill("DELETE")]);
    expect(at.slice(0, 250).every((t) => t === 0)).toBe(true);
    expect(at[259]).toBeGreaterThanOrEqual(390); // 10 reads beyond the burst at 25/s
    expect(at[259]).toBeLessThanOrEqual(450);
    expect(at.slice(260, 460).every((t) => t === 0)).toBe(true);
    expect(at[464]).toBeGreaterThanOrEqual(490); // 5 writes beyond the burst at 10/s
    expect(at.slice(465).every((t) => t === 0)).toBe(true);
  });

  it("with rateLimit uses one bucket for every request, shared by the subscription's sessions (lowest rate wins)", async () => {
    const a = pacerFor("https://arm.test", "sub-fixed", 10);
    const b = pacerFor("https://ARM.test", "SUB-FIXED", 5);
    const at = await times((m) => (m === "GET" ? a : b).take(m), ["GET", "PUT", "GET", "PUT", "GET", "PUT", "DELETE"]);
    expect(at.slice(0, 5).every((t) => t === 0)).toBe(true);
    expect(at[6]).toBeGreaterThanOrEqual(390);
  });
});
