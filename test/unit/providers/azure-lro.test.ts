import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { noteRetryAfter, untilDone, type LroStartOptions } from "../../../src/providers/azure/lro.js";

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] });

/** A core-lro 3 style poller that finishes after `polls` polls; `retryAfter` headers are "sent" per poll. */
function modularPoller(polls: number, retryAfter: Array<string | undefined> = [], initialRetryAfter?: string) {
  const at: number[] = [];
  let n = 0;
  const poller = {
    submitted: async () => {
      if (initialRetryAfter) noteRetryAfter(headers({ "retry-after": initialRetryAfter }));
    },
    get isDone() {
      return n >= polls;
    },
    poll: async () => {
      at.push(Date.now());
      const ra = retryAfter[n];
      n++;
      if (ra !== undefined) noteRetryAfter(headers({ "retry-after": ra }));
    },
    pollUntilDone: async () => "result",
  };
  return { poller, at };
}

describe("long-running operation waits (fake clock)", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());
  const pacing = { firstIntervalMs: 100, maxIntervalMs: 5000 };

  it("polls soon, then less and less often, up to the longest interval", async () => {
    const { poller, at } = modularPoller(12);
    const done = untilDone(pacing, undefined, (o: LroStartOptions) => (expect(o.updateIntervalInMs).toBeGreaterThan(60_000), poller));
    await vi.runAllTimersAsync();
    expect(await done).toBe("result");
    const gaps = at.map((t, i) => t - (at[i - 1] ?? 0));
    expect(gaps.slice(0, 5)).toEqual([100, 150, 225, 338, 507]);
    expect(Math.max(...gaps)).toBe(5000);
  });

  it("waits exactly as long as Retry-After says, on the first response and on polls", async () => {
    const { poller, at } = modularPoller(3, [undefined, "3"], "10");
    const done = untilDone(pacing, undefined, () => poller);
    await vi.runAllTimersAsync();
    await done;
    expect(at).toEqual([10_000, 10_150, 13_150]);
  });

  it("keeps concurrent waits' Retry-After apart", async () => {
    const a = modularPoller(2, ["7"]);
    const b = modularPoller(2);
    const both = Promise.all([untilDone(pacing, undefined, () => a.poller), untilDone(pacing, undefined, () => b.poller)]);
    await vi.runAllTimersAsync();
    await both;
    expect(a.at).toEqual([100, 7100]);
    expect(b.at).toEqual([100, 250]);
  });

  it("works with classic pollers (beginX resolves after the first poll; isDone is a method)", async () => {
    let n = 0;
    const classic = { isDone: () => n >= 2, poll: async () => void n++, pollUntilDone: async () => 42 };
    const done = untilDone(pacing, undefined, async () => classic);
    await vi.runAllTimersAsync();
    expect(await done).toBe(42);
    expect(n).toBe(2);
  });
});
