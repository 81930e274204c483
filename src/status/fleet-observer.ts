import { connectProviders, type Connections } from "../cli/connect.js";
import { GUEST_PROVIDER, type DesiredState } from "../manifest/model.js";
import type { ObservedResource, Provider } from "../providers/contract.js";
import { observeAll, observeInside, providersInUse } from "../reconcile/observe.js";
import { plan as computePlan } from "../reconcile/plan.js";
import type { StateSnapshot, StateStore } from "../state/contract.js";
import { buildFleet } from "./build-fleet.js";
import type { FleetReport, FleetSection, ProviderHealth } from "./fleet-schema.js";

/** How many history entries a report looks through for "last applied by" and schedule runs. */
export const FLEET_HISTORY_DEPTH = 500;

/** Keeps only what lives on vmsync itself or on a provider that could be observed. */
function restrict(desired: DesiredState, state: StateSnapshot, reachable: Set<string>): { desired: DesiredState; state: StateSnapshot } {
  const ok = (p: string | undefined) => !p || reachable.has(p);
  return {
    desired: { ...desired, resources: desired.resources.filter((r) => ok(r.provider)) },
    state: {
      ...state,
      resources: Object.fromEntries(Object.entries(state.resources).filter(([, r]) => ok(r.provider))),
      pending: Object.fromEntries(Object.entries(state.pending).filter(([, p]) => ok(p.provider))),
    },
  };
}

/**
 * Makes fleet reports for `vmsync status` the way `vmsync plan` observes: one bulk observe per
 * provider, then the pure planner. Unlike plan, a provider that cannot be connected to or observed
 * does not stop the report: its resources show as unknown with the reason, and the next refresh
 * (status --watch) connects again. Sessions stay open between refreshes (connection reuse).
 */
export class FleetObserver {
  private readonly conns = new Map<string, Connections>();

  constructor(private readonly o: { desired: DesiredState; stack: string; env: NodeJS.ProcessEnv; store: StateStore; sections?: () => Promise<FleetSection[]> }) {}

  /** Observes every provider in use and builds the report at `now`. */
  async report(now: Date): Promise<FleetReport> {
    const { desired, store } = this.o;
    const state = await store.read();
    const observed = new Map<string, ObservedResource[]>();
    const impls = new Map<string, Provider>();
    const inUse = providersInUse(desired, state);
    const health = await Promise.all(inUse.filter((n) => n !== GUEST_PROVIDER).map((name) => this.observeOne(name, state, observed, impls)));
    // the guest layer reads inside the VMs just observed (their power and addresses)
    if (inUse.includes(GUEST_PROVIDER)) health.push(await this.observeGuests(state, observed, impls));
    const part = restrict(desired, state, new Set(observed.keys()));
    const plan = computePlan({ stack: this.o.stack, desired: part.desired, observed, state: part.state, providers: impls, options: { allowMassDelete: true } });
    const history = await store.history(FLEET_HISTORY_DEPTH);
    const sections = this.o.sections ? await this.o.sections() : [];
    return buildFleet({ stack: this.o.stack, now, desired, state, plan, observed, history, providers: health, sections });
  }

  /** Ends every open session. */
  async close(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }

  private async observeGuests(state: StateSnapshot, observed: Map<string, ObservedResource[]>, impls: Map<string, Provider>): Promise<ProviderHealth> {
    try {
      let conn = this.conns.get(GUEST_PROVIDER);
      if (!conn) {
        conn = await connectProviders([GUEST_PROVIDER], this.o.desired, { stack: this.o.stack, env: this.o.env });
        this.conns.set(GUEST_PROVIDER, conn);
      }
      const got = await observeInside(conn.sessions, observed, this.o.desired, state);
      observed.set(GUEST_PROVIDER, got.get(GUEST_PROVIDER) ?? []);
      impls.set(GUEST_PROVIDER, conn.providers.get(GUEST_PROVIDER)!);
      return { name: GUEST_PROVIDER, reachable: true };
    } catch (err) {
      return { name: GUEST_PROVIDER, reachable: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async observeOne(name: string, state: StateSnapshot, observed: Map<string, ObservedResource[]>, impls: Map<string, Provider>): Promise<ProviderHealth> {
    const type = this.o.desired.providers.get(name)?.spec.type;
    try {
      let conn = this.conns.get(name);
      if (!conn) {
        conn = await connectProviders([name], this.o.desired, { stack: this.o.stack, env: this.o.env });
        this.conns.set(name, conn);
      }
      const got = await observeAll(conn.sessions, this.o.desired, state);
      observed.set(name, got.get(name) ?? []);
      impls.set(name, conn.providers.get(name)!);
      return { name, ...(type ? { type } : {}), reachable: true };
    } catch (err) {
      const conn = this.conns.get(name);
      this.conns.delete(name);
      await conn?.close();
      return { name, ...(type ? { type } : {}), reachable: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
