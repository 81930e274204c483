import { describe, expect, it } from "vitest";
import { nextWindowOpen, parseChangeWindow, windowOpen } from "../../../src/daemon/change-window.js";
import { Debouncer } from "../../../src/daemon/debounce.js";
import { jittered } from "../../../src/daemon/resync.js";
import { ManualClock } from "./manual-clock.js";

describe("Debouncer", () => {
  it("turns a burst of changes into one call once they have been quiet", async () => {
    const clock = new ManualClock();
    const fired: string[][] = [];
    const d = new Debouncer<string>({ clock, waitMs: 500 }, (items) => fired.push(items));
    d.push("a.yaml");
    await clock.advance(300);
    d.push("a.yaml"); // an editor's second write (temp file renamed over)
    d.push("b.yaml");
    await clock.advance(499);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([["a.yaml", "b.yaml"]]);
    await clock.advance(10_000);
    expect(fired).toHaveLength(1);
  });

  it("fires after maxWait even when changes never stop", async () => {
    const clock = new ManualClock();
    const fired: string[][] = [];
    const d = new Debouncer<string>({ clock, waitMs: 100, maxWaitMs: 1000 }, (items) => fired.push(items));
    for (let i = 0; i < 30; i++) {
      d.push(`f${i}`);
      await clock.advance(50);
    }
    expect(fired.length).toBeGreaterThanOrEqual(1);
    expect(fired[0]!.length).toBeLessThanOrEqual(21);
  });
});

describe("change windows", () => {
  const weekdayNights = parseChangeWindow("0 22 * * 1-5 4h");
  it.each([
    { at: "2026-01-05T21:59:00Z", open: false, reason: "Monday just before 22:00" },
    { at: "2026-01-05T22:00:00Z", open: true, reason: "Monday 22:00, the window opens" },
    { at: "2026-01-06T01:59:59Z", open: true, reason: "past midnight, still inside the 4h" },
    { at: "2026-01-06T02:00:00Z", open: false, reason: "the window closed at 02:00" },
    { at: "2026-01-10T23:00:00Z", open: false, reason: "Saturday night: no window" },
    { at: "2026-01-10T01:00:00Z", open: true, reason: "Saturday 01:00 is still Friday's window" },
  ])("$reason", ({ at, open }) => {
    expect(windowOpen([weekdayNights], Date.parse(at))).toBe(open);
  });

  it("is always open without windows, and tells when the next one opens", () => {
    expect(windowOpen([], 0)).toBe(true);
    expect(new Date(nextWindowOpen([weekdayNights], Date.parse("2026-01-10T12:00:00Z"))!).toISOString()).toBe("2026-01-12T22:00:00.000Z");
    expect(nextWindowOpen([weekdayNights], Date.parse("2026-01-05T23:00:00Z"))).toBeUndefined();
  });

  it.each(["0 22 * * 4h", "0 22 * * 1-5", "0 22 * * 1-5 soon", "0 25 * * * 1h"])("rejects %s", (text) => {
    expect(() => parseChangeWindow(text)).toThrow(/change window/);
  });
});

describe("resync jitter", () => {
  it("spreads the interval by at most the jitter share", () => {
    expect(jittered(60_000, 0.1, () => 0)).toBe(54_000);
    expect(jittered(60_000, 0.1, () => 1)).toBe(66_000);
    expect(jittered(60_000, 0.1, () => 0.5)).toBe(60_000);
  });
});
