/**
 * The signal of one apply step or request: follows the outer one, fires at the deadline with the
 * reason AbortSignal.timeout gives, and once released leaves nothing on the outer signal and no
 * timer — so that a finished step, and whatever a client left listening to its signal, can be
 * collected (AbortSignal.any/timeout kept them until the deadline: 15 minutes per step).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { deadlineSignal } from "../../../src/providers/deadline-signal.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("deadlineSignal", () => {
  it("aborts at the deadline, as a TimeoutError, and says so", async () => {
    const s = deadlineSignal(new AbortController().signal, 20);
    await new Promise((r) => setTimeout(r, 60));
    expect(s.signal.aborted).toBe(true);
    expect(s.timedOut()).toBe(true);
    expect((s.signal.reason as Error).name).toBe("TimeoutError");
    s.release();
  });

  it("without an outer signal, only the deadline aborts it", async () => {
    const s = deadlineSignal(undefined, 10);
    expect(s.signal.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(s.timedOut()).toBe(true);
    s.release();
  });

  it("follows the run's abort with its reason, also when the run was aborted before", () => {
    const run = new AbortController();
    const s = deadlineSignal(run.signal, 60_000);
    run.abort(new Error("second Ctrl-C"));
    expect(s.signal.aborted).toBe(true);
    expect(s.timedOut()).toBe(false);
    expect((s.signal.reason as Error).message).toBe("second Ctrl-C");
    expect(deadlineSignal(run.signal, 60_000).signal.aborted).toBe(true);
  });

  it("once released, neither the run's signal nor a timer holds the step's signal or its listeners", async () => {
    const run = new AbortController();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const refs: Array<WeakRef<object>> = [];
    const steps = () => {
      const live = Array.from({ length: 50 }, (_, i) => {
        const s = deadlineSignal(run.signal, 15 * 60_000); // 50 steps in flight at once: no listener-leak warning
        const payload = { big: new Array(1000).fill(i) };
        s.signal.addEventListener("abort", () => payload); // a listener a client forgot to remove
        refs.push(new WeakRef(payload));
        return s;
      });
      for (const s of live) s.release();
    };
    steps();
    await new Promise((r) => setTimeout(r, 10));
    process.off("warning", onWarning);
    gc();
    expect(warnings).toEqual([]);
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    run.abort(); // nothing follows it any more
  });
});
