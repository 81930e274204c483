import { describe, expect, it } from "vitest";
import { StepGraph } from "../../../src/reconcile/graph.js";
import type { PlanStep } from "../../../src/reconcile/plan-types.js";
import { StepScheduler } from "../../../src/reconcile/scheduler.js";

const step = (address: string, provider: string, dependsOn: string[] = []): PlanStep => ({
  address, kind: "VirtualMachine", provider, action: "create", reasonCode: "new", reason: "", changes: [], dependsOn, fingerprint: "absent", name: address, protect: false, sensitive: [],
});

describe("StepScheduler", () => {
  it("hands out ready steps in plan order across providers with room, and dependents once their dependencies succeeded", () => {
    const steps = [step("a", "p"), step("b", "q"), step("c", "p", ["a"]), step("d", "p"), step("e", "q", ["c", "b"])];
    const s = new StepScheduler(new StepGraph(steps), steps);
    const all = () => 0;
    const onlyP = (p: string) => (p === "p" ? 0 : undefined);
    expect(s.next(all)?.address).toBe("a");
    expect(s.next(onlyP)?.address).toBe("d"); // c waits for a; q has no room
    expect(s.next(onlyP)).toBeUndefined();
    expect(s.next(all)?.address).toBe("b");
    s.succeeded("a");
    expect(s.next(all)?.address).toBe("c");
    s.succeeded("c");
    expect(s.next(all)).toBeUndefined(); // e still waits for b
    s.succeeded("b");
    expect(s.next(all)?.address).toBe("e");
  });

  it("gives the least busy provider the next slot, so one provider cannot take every slot", () => {
    const steps = [...["a1", "a2", "a3"].map((n) => step(n, "az")), ...["p1", "p2"].map((n) => step(n, "pve"))];
    const s = new StepScheduler(new StepGraph(steps), steps);
    const inFlight: Record<string, number> = { az: 0, pve: 0 };
    const limit: Record<string, number> = { az: 10, pve: 4 };
    const busy = (p: string) => (inFlight[p]! < limit[p]! ? inFlight[p]! / limit[p]! : undefined);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const x = s.next(busy)!;
      order.push(x.address);
      inFlight[x.provider!]!++;
    }
    expect(order).toEqual(["a1", "p1", "a2", "a3"]); // after a1 (1/10 busy) pve (0/4) goes next; then az at 1/10 < pve at 1/4
  });

  it("keeps plan order among thousands of steps that become ready out of order", () => {
    const steps = [step("root", "p"), ...Array.from({ length: 3000 }, (_, i) => step(`s${i}`, "p", i % 2 ? ["root"] : []))];
    const s = new StepScheduler(new StepGraph(steps), steps);
    const taken: string[] = [];
    for (let x = s.next(() => 0); x; x = s.next(() => 0)) {
      taken.push(x.address);
      if (x.address === "s100") s.succeeded("root");
    }
    expect(taken).toHaveLength(3001);
    const afterRoot = taken.slice(taken.indexOf("s100") + 1);
    expect(afterRoot[0]).toBe("s1"); // the earliest step that became ready comes first
  });
});
