import { connectProviders, type Connections } from "../cli/connect.js";
import { loadPriceTable } from "../cost/price-table.js";
import { GUEST_PROVIDER, type DesiredState } from "../manifest/model.js";
import type { CapacityPool, ObservedResource, Provider } from "../providers/contract.js";
import { providerFor } from "../providers/registry.js";
import { observeAll, observeInside, providersInUse } from "../reconcile/observe.js";
import { readCapacity } from "../reconcile/observe-capacity.js";
import { plan as computePlan } from "../reconcile/plan.js";
import type { StateSnapshot, StateStore } from "../state/contract.js";
import { buildFleet } from "./build-fleet.js";
import type { CapacityRead } from "./capacity-section.js";
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

/** What one provider's observation gave: the objects, its capacity (if it reports any) and its implementation. */
interface Observation {
  observed: Map<string, ObservedResource[]>;
  capacity: Map<string, CapacityRead>;
  impls: Map<string, Provider>;
  billed: string[];
}

/**
 * Makes fleet reports for `vmsync status` the way `vmsync plan` observes: one bulk observe per
 * provider with its capacity read alongside (`readCapacity`, as plan does), then the pure planner,
 * capacity-checked and priced with the price table plans use. Unlike plan, a provider that cannot
 * be connected to or observed does not stop the report: its resources show as unknown with the
 * reason (and, when it bills, an unknown cost), and the next refresh (status --watch) connects
 * again; capacity that cannot be read is reported in its section. Sessions stay open between
 * refreshes (connection reuse).
 */
export class FleetObserver {
  private readonly conns = new Map<string, Connections>();

  constructor(private readonly o: { desired: DesiredState; stack: string; env: NodeJS.ProcessEnv; store: StateStore; sections?: () => Promise<FleetSection[]> }) {}

  /** Observes every provider in use and builds the report at `now`. */
  async report(now: Date): Promise<FleetReport> {
    const { desired, store } = this.o;
    const state = await store.read();
    const seen: Observation = { observed: new Map(), capacity: new Map(), impls: new Map(), billed: [] };
    const inUse = providersInUse(desired, state);
    const [health, prices] = await Promise.all([
      Promise.all(inUse.filter((n) => n !== GUEST_PROVIDER).map((name) => this.observeOne(name, state, seen))),
      loadPriceTable(this.o.env),
    ]);
    // the guest layer reads inside the VMs just observed (their power and addresses)
    if (inUse.includes(GUEST_PROVIDER)) health.push(await this.observeGuests(state, seen));
    const part = restrict(desired, state, new Set(seen.observed.keys()));
    const pools = new Map([...seen.capacity].flatMap(([name, read]): Array<[string, CapacityPool[]]> => ("pools" in read ? [[name, read.pools]] : [])));
    const plan = computePlan({
      stack: this.o.stack, desired: part.desired, observed: seen.observed, state: part.state, providers: seen.impls, options: { allowMassDelete: true },
      capacity: pools, prices: { table: prices.table, which: prices.which },
    });
    const history = await store.history(FLEET_HISTORY_DEPTH);
    const sections = this.o.sections ? await this.o.sections() : [];
    const pricing = { currency: prices.table.currency, priceDate: prices.table.date, priceTable: prices.which, billed: seen.billed.sort() };
    return buildFleet({ stack: this.o.stack, now, desired, state, plan, observed: seen.observed, history, providers: health, capacity: seen.capacity, pricing, sections });
  }

  /** Ends every open session. */
  async close(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }

  private async observeGuests(state: StateSnapshot, seen: Observation): Promise<ProviderHealth> {
    try {
      let conn = this.conns.get(GUEST_PROVIDER);
      if (!conn) {
        conn = await connectProviders([GUEST_PROVIDER], this.o.desired, { stack: this.o.stack, env: this.o.env });
        this.conns.set(GUEST_PROVIDER, conn);
      }
      const got = await observeInside(conn.sessions, seen.observed, this.o.desired, state);
      seen.observed.set(GUEST_PROVIDER, got.get(GUEST_PROVIDER) ?? []);
      seen.impls.set(GUEST_PROVIDER, conn.providers.get(GUEST_PROVIDER)!);
      return { name: GUEST_PROVIDER, reachable: true };
    } catch (err) {
      return { name: GUEST_PROVIDER, reachable: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  private async observeOne(name: string, state: StateSnapshot, seen: Observation): Promise<ProviderHealth> {
    const type = this.o.desired.providers.get(name)?.spec.type;
    try {
      if (type && (await providerFor(type)).billing) seen.billed.push(name);
      let conn = this.conns.get(name);
      if (!conn) {
        conn = await connectProviders([name], this.o.desired, { stack: this.o.stack, env: this.o.env });
        this.conns.set(name, conn);
      }
      const [got, capacity] = await Promise.all([
        observeAll(conn.sessions, this.o.desired, state),
        readCapacity(conn.sessions, this.o.desired).then(
          (m): CapacityRead | undefined => (m.has(name) ? { pools: m.get(name)! } : undefined),
          (err: unknown): CapacityRead => ({ error: err instanceof Error ? err.message : String(err) }),
        ),
      ]);
      seen.observed.set(name, got.get(name) ?? []);
      if (capacity) seen.capacity.set(name, capacity);
      seen.impls.set(name, conn.providers.get(name)!);
      return { name, ...(type ? { type } : {}), reachable: true };
    } catch (err) {
      const conn = this.conns.get(name);
      this.conns.delete(name);
      await conn?.close();
      return { name, ...(type ? { type } : {}), reachable: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
