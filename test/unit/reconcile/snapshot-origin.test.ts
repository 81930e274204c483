import { describe, expect, it } from "vitest";
import { adHocNameProblem, snapshotName, snapshotOrigin } from "../../../src/reconcile/snapshots.js";

describe("who a snapshot belongs to", () => {
  const at = new Date("2026-03-01T03:00:00Z");
  it.each<[{ name: string; stack?: string }, object, string]>([
    [{ name: snapshotName("nightly", at), stack: "prod" }, { origin: "schedule", schedule: "nightly" }, "this stack's schedule, by name pattern and marker"],
    [{ name: "before-upgrade", stack: "prod" }, { origin: "ad-hoc" }, "this stack's, taken on request"],
    [{ name: snapshotName("nightly", at), stack: "staging" }, { origin: "other-stack", stack: "staging" }, "another stack's, even with a schedule-shaped name"],
    [{ name: snapshotName("nightly", at) }, { origin: "outside" }, "no marker: never treated as a schedule's (never pruned)"],
    [{ name: "manual" }, { origin: "outside" }, "taken by hand at the provider"],
  ])("%j → %j (%s)", (snap, want, _why) => {
    expect(snapshotOrigin(snap, "prod", ["nightly", "hourly"])).toEqual(want);
  });
});

describe("ad hoc snapshot names", () => {
  it.each([
    ["before-upgrade", undefined],
    ["b4_2", undefined],
    ["x", "is not a valid snapshot name"],
    ["9lives", "is not a valid snapshot name"],
    ["with space", "is not a valid snapshot name"],
    ["a".repeat(41), "is not a valid snapshot name"],
    [snapshotName("nightly", new Date("2026-03-01T03:00:00Z")), "has the shape of a schedule's snapshot name"],
  ])("%s", (name, problem) => {
    const p = adHocNameProblem(name);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(problem);
  });
});
