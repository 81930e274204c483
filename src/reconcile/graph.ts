import type { PlanStep } from "./plan-types.js";

/**
 * The dependency DAG of the steps an apply runs. `waitsFor(a)` lists the runnable steps `a` must
 * wait for: its dependencies for creates/updates (template before clones, share before VMs that
 * mount it, VM before its schedule) and, for deletes, the deletes of what depended on it (the
 * planner records them in `dependsOn`, so deletes run in reverse order).
 */
export class StepGraph {
  readonly steps: Map<string, PlanStep>;
  private readonly waits = new Map<string, string[]>();
  private readonly dependents = new Map<string, string[]>();

  constructor(steps: PlanStep[]) {
    this.steps = new Map(steps.map((s) => [s.address, s]));
    for (const s of steps) {
      const deps = s.dependsOn.filter((d) => this.steps.has(d) && d !== s.address);
      this.waits.set(s.address, deps);
      for (const d of deps) {
        const list = this.dependents.get(d);
        if (list) list.push(s.address);
        else this.dependents.set(d, [s.address]);
      }
    }
  }

  waitsFor(address: string): string[] {
    return this.waits.get(address) ?? [];
  }

  /** The steps that wait directly for `address`. */
  dependentsOf(address: string): string[] {
    return this.dependents.get(address) ?? [];
  }

  /** Every step that (transitively) waits for `address`. */
  downstream(address: string): string[] {
    const out = new Set<string>();
    const stack = [...(this.dependents.get(address) ?? [])];
    while (stack.length) {
      const a = stack.pop()!;
      if (out.has(a)) continue;
      out.add(a);
      stack.push(...(this.dependents.get(a) ?? []));
    }
    return [...out];
  }
}

/** True when the executor has something to do for this step (a change, an adoption or a state record to write). */
export function isRunnable(step: PlanStep): boolean {
  return !step.blocked && (step.action !== "noop" || step.adopt === true || step.recordOnly === true);
}
