import type { StepGraph } from "./graph.js";
import type { PlanStep } from "./plan-types.js";

/**
 * Which step the executor may start next, in time proportional to the steps, not their square: a
 * count of unmet dependencies per step, and per provider a queue of ready steps in plan order. A
 * step becomes ready when its last dependency succeeded; `next` picks the least busy provider with a
 * free slot and its ready step that comes first in the plan. Steps that depend on a failed one
 * never become ready (the executor marks them skipped).
 */
export class StepScheduler {
  private readonly unmet = new Map<string, number>();
  private readonly order = new Map<string, number>();
  private readonly queues = new Map<string, ReadyQueue>();

  constructor(private readonly graph: StepGraph, steps: PlanStep[]) {
    steps.forEach((s, i) => {
      this.order.set(s.address, i);
      const n = graph.waitsFor(s.address).length;
      this.unmet.set(s.address, n);
    });
    for (const s of steps) if (this.unmet.get(s.address) === 0) this.queue(s).push(s, this.order.get(s.address)!);
  }

  /** Records that `address` succeeded: its dependents whose dependencies have all succeeded become ready. */
  succeeded(address: string): void {
    for (const d of this.graph.dependentsOf(address)) {
      const left = (this.unmet.get(d) ?? 0) - 1;
      this.unmet.set(d, left);
      if (left === 0) {
        const step = this.graph.steps.get(d)!;
        this.queue(step).push(step, this.order.get(d)!);
      }
    }
  }

  /**
   * Takes a ready step of a provider with room: of the least busy one (`busy` gives the share of a
   * provider's own limit in use, or undefined when it has no room), so that when the overall
   * parallelism is what binds, every provider gets its share; the step first in the plan among
   * equally busy ones. Undefined when none can start.
   */
  next(busy: (provider: string) => number | undefined): PlanStep | undefined {
    let best: { provider: string; index: number; load: number } | undefined;
    for (const [provider, q] of this.queues) {
      const index = q.peekIndex();
      if (index === undefined) continue;
      const load = busy(provider);
      if (load === undefined) continue;
      if (!best || load < best.load || (load === best.load && index < best.index)) best = { provider, index, load };
    }
    return best ? this.queues.get(best.provider)!.take() : undefined;
  }

  private queue(step: PlanStep): ReadyQueue {
    const p = step.provider ?? "";
    let q = this.queues.get(p);
    if (!q) this.queues.set(p, (q = new ReadyQueue()));
    return q;
  }
}

/** Steps kept in plan order (binary insertion; taken from the front without moving the rest). */
class ReadyQueue {
  private items: Array<{ step: PlanStep; index: number }> = [];
  private head = 0;

  push(step: PlanStep, index: number): void {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.index < index) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, { step, index });
  }

  peekIndex(): number | undefined {
    return this.items[this.head]?.index;
  }

  take(): PlanStep | undefined {
    const item = this.items[this.head];
    if (!item) return undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item.step;
  }
}
