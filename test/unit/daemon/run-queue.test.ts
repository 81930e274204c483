import { describe, expect, it } from "vitest";
import { RunQueue } from "../../../src/daemon/run-queue.js";

/** A run that waits until released, recording its reasons and overlap. */
function gatedRuns() {
  const runs: string[][] = [];
  let active = 0;
  let maxActive = 0;
  const gates: Array<() => void> = [];
  const run = async (reasons: string[]) => {
    runs.push(reasons);
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((r) => gates.push(r));
    active--;
  };
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { runs, run, release, maxActive: () => maxActive };
}

describe("RunQueue", () => {
  it("never overlaps runs, and requests during a run queue exactly one more with all their reasons", async () => {
    const g = gatedRuns();
    const q = new RunQueue(g.run);
    q.request("startup");
    expect(q.busy).toBe(true);
    q.request("changed a.yaml");
    q.request("changed b.yaml");
    q.request("resync");
    q.request("changed a.yaml");
    expect(g.runs).toHaveLength(1);
    await g.release();
    expect(g.runs).toEqual([["startup"], ["changed a.yaml", "changed b.yaml", "resync"]]);
    await g.release();
    await q.idle();
    expect(g.runs).toHaveLength(2);
    expect(g.maxActive()).toBe(1);
  });

  it("starts at once when idle, and goes on after a run that throws", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const q = new RunQueue(async () => {
      calls++;
      if (calls === 1) throw new Error("boom");
    }, (e) => errors.push(e));
    q.request("a");
    await q.idle();
    q.request("b");
    await q.idle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it("drops the queued run on close and lets the current one finish", async () => {
    const g = gatedRuns();
    const q = new RunQueue(g.run);
    q.request("a");
    q.request("b");
    q.close();
    q.request("c");
    await g.release();
    await q.idle();
    expect(g.runs).toEqual([["a"]]);
  });
});
