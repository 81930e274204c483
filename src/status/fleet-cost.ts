import type { Plan, ResourceCost } from "../reconcile/plan-types.js";
import type { FleetCost, FleetRow, RowCost } from "./fleet-schema.js";

/**
 * How a fleet report is priced: the price table the plan was priced with (currency, date, which
 * table) and the providers in use whose resources are billed (`Provider.billing`: Azure). Without
 * it a report has no cost at all (no column, no total).
 */
export interface FleetPricing {
  currency: string;
  priceDate: string;
  priceTable: "shipped" | "cache";
  billed: string[];
}

/** What a row's cost is derived from: its address, provider, and whether that provider was observed. */
export interface CostSubject {
  address: string;
  provider?: string;
  reachable: boolean;
}

/**
 * Prices fleet rows from the plan's cost estimate (pure). A row's cost is its `before` side — the
 * object as observed now, so a deallocated VM pays its disks only and a resource not created yet
 * costs nothing (no cost, shown as a dash). Lines the table has no price for are unknown, never 0;
 * a row on a billed provider that could not be observed is wholly unknown.
 */
export class FleetCoster {
  private readonly byAddress: Map<string, ResourceCost>;

  constructor(plan: Plan, private readonly pricing: FleetPricing | undefined) {
    this.byAddress = new Map((plan.cost?.resources ?? []).map((r) => [r.address, r]));
  }

  /** The row's monthly cost now, or undefined when it costs nothing (or nothing is priced). */
  row(s: CostSubject): RowCost | undefined {
    const p = this.pricing;
    if (!p || !p.billed.length) return undefined;
    if (s.provider && !s.reachable) return p.billed.includes(s.provider) ? { currency: p.currency, monthly: null, unknown: 0, lines: [] } : undefined;
    const now = this.byAddress.get(s.address)?.before;
    if (!now) return undefined;
    const lines = now.lines.map((l) => ({ component: l.component, description: l.description, meter: l.meter, monthly: l.monthly }));
    const priced = lines.some((l) => l.monthly !== null);
    return { currency: p.currency, monthly: priced || !lines.length ? now.monthly : null, unknown: now.unknown, lines };
  }

  /** The fleet's total over its rows; undefined when no provider in use bills. */
  total(rows: FleetRow[]): FleetCost | undefined {
    const p = this.pricing;
    if (!p || !p.billed.length) return undefined;
    const costs = rows.map((r) => r.cost).filter((c): c is RowCost => c !== undefined);
    const known = costs.filter((c) => c.monthly !== null);
    const unknown = costs.filter((c) => c.monthly === null || c.unknown > 0).length;
    const monthly = known.length || !unknown ? Math.round(known.reduce((a, c) => a + c.monthly!, 0) * 100) / 100 : null;
    return { currency: p.currency, priceDate: p.priceDate, priceTable: p.priceTable, monthly, unknown };
  }
}
