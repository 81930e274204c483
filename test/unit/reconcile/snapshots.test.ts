import { describe, expect, it } from "vitest";
import { prunable, snapshotName } from "../../../src/reconcile/snapshots.js";

describe("snapshot retention", () => {
  const now = new Date("2026-11-22T03:00:00Z");
  const snap = (day: number, name = `vmsync-nightly-202611${String(day).padStart(2, "0")}0300`) => ({ name, createdAt: `2026-11-${String(day).padStart(2, "0")}T03:00:00Z` });

  it("names snapshots by schedule and minute, within Proxmox's 40-character rule", () => {
    expect(snapshotName("nightly", now)).toBe("vmsync-nightly-202611220300");
    expect(snapshotName("a-very-long-schedule-name-indeed", now).length).toBeLessThanOrEqual(40);
  });

  it("keeps the newest keepLast", () => {
    const snaps = [snap(22), snap(21), snap(20), snap(19)];
    expect(prunable(snaps, "nightly", { keepLast: 2 }, now).map((s) => s.createdAt.slice(8, 10))).toEqual(["20", "19"]);
  });

  it("drops what is older than maxAge", () => {
    expect(prunable([snap(22), snap(10), snap(1)], "nightly", { maxAge: "14d" }, now).map((s) => s.createdAt.slice(8, 10))).toEqual(["01"]);
  });

  it("never touches snapshots it did not take", () => {
    expect(prunable([snap(1, "before-upgrade"), snap(2, "vmsync-weekly-202611020300")], "nightly", { keepLast: 1, maxAge: "1d" }, now)).toEqual([]);
  });

  it("never prunes another schedule's snapshots, even when one name starts with the other", () => {
    const theirs = [snap(21, "vmsync-daily-db-202611210300"), snap(20, "vmsync-daily-db-202611200300")];
    expect(prunable([...theirs, snap(22, "vmsync-daily-202611220300")], "daily", { keepLast: 1 }, now)).toEqual([]);
    const long1 = "a-very-long-schedule-name-one";
    const long2 = "a-very-long-schedule-name-two";
    const t = new Date("2026-11-20T03:00:00Z");
    expect(prunable([{ name: snapshotName(long2, t), createdAt: t.toISOString() }], long1, { keepLast: 0, maxAge: "1d" }, now)).toEqual([]);
    expect(prunable([{ name: snapshotName(long1, t), createdAt: t.toISOString() }], long1, { maxAge: "1d" }, now)).toHaveLength(1);
  });
});
