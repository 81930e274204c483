import type { Plan } from "../../reconcile/plan-types.js";
import { buildFleet } from "../../status/build-fleet.js";
import type { FleetReport } from "../../status/fleet-schema.js";
import { FLEET_HISTORY_DEPTH } from "../../status/fleet-observer.js";
import type { StateStore } from "../../state/contract.js";
import type { Clock } from "../clock.js";
import type { HeldResource } from "../health.js";
import type { PassResult } from "../pass-types.js";
import type { DaemonStatus } from "../status.js";
import type { PageData } from "./page.js";
import type { WebSources } from "./routes.js";

/** How many history entries the page lists. */
const PAGE_HISTORY = 15;

/**
 * What the daemon's views show beyond `/status`: the fleet report of the latest observation (the
 * same report `vmsync status` prints, built from the pass's own bulk observe, capacity read and
 * priced plan) and the last plan. Tells subscribers (the page's live streams) after every change.
 */
export class LiveView implements WebSources {
  private fleetReport: FleetReport | undefined;
  private lastPlan: Plan | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly o: { stack: string; store: StateStore; clock: Clock; status: () => DaemonStatus }) {}

  /** The latest fleet report (undefined before the first observation). */
  get fleet(): FleetReport | undefined {
    return this.fleetReport;
  }

  /** Takes a pass: a reconciled one replaces the fleet report and the plan; any pass is a change. */
  async recordPass(pass: PassResult, held: HeldResource[]): Promise<void> {
    if (pass.outcome === "reconciled") {
      const [state, history] = await Promise.all([this.o.store.read(), this.o.store.history(FLEET_HISTORY_DEPTH)]);
      const shown = new Set(pass.current.steps.map((s) => s.address));
      const { cost, ...pricing } = pass.pricing;
      const plan = { ...pass.current, steps: [...pass.current.steps, ...pass.blocked.filter((b) => !shown.has(b.address))], ...(cost ? { cost } : {}) };
      this.fleetReport = buildFleet({
        stack: this.o.stack, now: new Date(this.o.clock.now()), desired: pass.desired, state, plan, observed: pass.observed, history,
        providers: [...pass.observed.keys()].map((name) => ({ name, ...(pass.desired.providers.get(name) ? { type: pass.desired.providers.get(name)!.spec.type } : {}), reachable: true })),
        held: held.map((h) => ({ address: h.address, error: h.error })),
        capacity: new Map([...pass.capacity].map(([name, pools]) => [name, { pools }])), pricing,
      });
      this.lastPlan = pass.plan;
    }
    this.changed();
  }

  /** Tells every subscriber that something changed. */
  changed(): void {
    for (const fn of this.listeners) fn();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async data(): Promise<PageData> {
    return {
      status: this.o.status(), history: await this.o.store.history(PAGE_HISTORY), now: new Date(this.o.clock.now()),
      ...(this.fleetReport ? { fleet: this.fleetReport } : {}), ...(this.lastPlan ? { plan: this.lastPlan } : {}),
    };
  }
}
