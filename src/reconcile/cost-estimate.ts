import { PriceIndex, type PriceTable } from "../cost/price-table.js";
import type { BillableItem, CanonicalSpec, Provider } from "../providers/contract.js";
import type { CostLine, CostSide, PlanCost, PlanStep, ResourceCost } from "./plan-types.js";

/** What the estimate needs; all of it data (the planner stays pure). */
export interface CostInput {
  steps: PlanStep[];
  providers: Map<string, Provider>;
  table: PriceTable;
  priceTable: "shipped" | "cache";
  /** The observed canonical spec of a step's object (updates, replaces, deletes, unchanged ones). */
  observedSpec(step: PlanStep): CanonicalSpec | undefined;
}

function side(items: BillableItem[], prices: PriceIndex): CostSide | undefined {
  if (!items.length) return undefined;
  const lines: CostLine[] = items.map((i) => {
    const m = prices.monthly(i.meter, i.quantity);
    return { component: i.component, description: i.description, meter: i.meter, monthly: m === undefined ? null : round(m) };
  });
  return { monthly: round(lines.reduce((a, l) => a + (l.monthly ?? 0), 0)), unknown: lines.filter((l) => l.monthly === null).length, lines };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The spec a step leaves behind: the desired one when it changes the object, the observed one otherwise. */
function afterSpec(step: PlanStep, observed: CanonicalSpec | undefined): CanonicalSpec | undefined {
  if (step.action === "delete") return undefined;
  if (step.blocked || step.action === "noop") return observed;
  return step.desired;
}

/**
 * Prices the plan (pure): for each step on a provider that bills (`Provider.billing`), the monthly
 * cost of its object now (observed spec) and after the plan; for each SnapshotSchedule, its kept
 * snapshots of billed targets (keep-last × the target's disk, an upper bound). Meters missing from
 * the table are unknown (counted, never 0). Undefined when nothing in the plan is billed.
 */
export function estimateCost(input: CostInput): PlanCost | undefined {
  const prices = new PriceIndex(input.table);
  const resources: ResourceCost[] = [];
  const afterByAddress = new Map<string, { provider: Provider; spec: CanonicalSpec; step: PlanStep }>();
  for (const step of input.steps) {
    const provider = step.provider ? input.providers.get(step.provider) : undefined;
    if (!provider?.billing) continue;
    const observed = step.action === "create" ? undefined : input.observedSpec(step);
    const after = afterSpec(step, observed);
    if (after) afterByAddress.set(step.address, { provider, spec: after, step });
    const b = observed ? side(provider.billing(step.kind, observed), prices) : undefined;
    const a = after ? side(provider.billing(step.kind, after), prices) : undefined;
    if (b || a) resources.push({ address: step.address, ...(step.provider ? { provider: step.provider } : {}), ...(b ? { before: b } : {}), ...(a ? { after: a } : {}), delta: round((a?.monthly ?? 0) - (b?.monthly ?? 0)) });
  }
  for (const step of input.steps) {
    if (step.kind !== "SnapshotSchedule" || step.provider) continue;
    const cost = scheduleCost(step, afterByAddress, prices);
    if (cost) resources.push(cost);
  }
  if (!resources.length) return undefined;
  const before = round(resources.reduce((a, r) => a + (r.before?.monthly ?? 0), 0));
  const after = round(resources.reduce((a, r) => a + (r.after?.monthly ?? 0), 0));
  return {
    currency: input.table.currency, priceDate: input.table.date, priceTable: input.priceTable,
    resources: resources.sort((a, b) => a.address.localeCompare(b.address)),
    monthlyBefore: before, monthlyAfter: after, delta: round(after - before),
    unknown: unpricedMeters(resources),
  };
}

/** How many distinct (resource, meter) pairs have no price, before or after: one unpriced disk counts once. */
function unpricedMeters(resources: ResourceCost[]): number {
  const keys = new Set<string>();
  for (const r of resources) for (const l of [...(r.before?.lines ?? []), ...(r.after?.lines ?? [])]) if (l.monthly === null) keys.add(`${r.address}\0${l.meter}`);
  return keys.size;
}

/** The snapshots a schedule keeps of its billed targets, before (its applied spec) and after the plan. */
function scheduleCost(step: PlanStep, targets: Map<string, { provider: Provider; spec: CanonicalSpec; step: PlanStep }>, prices: PriceIndex): ResourceCost | undefined {
  const items = (spec: Record<string, unknown> | undefined): BillableItem[] => {
    if (!spec) return [];
    const keep = (spec.retention as { keepLast?: number } | undefined)?.keepLast;
    const out: BillableItem[] = [];
    for (const address of (spec.targets as string[] | undefined) ?? []) {
      const t = targets.get(address);
      const item = t?.provider.snapshotBilling?.(t.step.kind, t.spec, keep ?? 0);
      if (!item) continue;
      // without keep-last (max-age only) the number kept is not known: the line has no price
      out.push(keep === undefined ? { ...item, meter: `${item.meter}#count-unknown`, description: `snapshots of ${address} kept for ${String((spec.retention as { maxAge?: string }).maxAge)} (how many is not known)` } : { ...item, description: `${address}: ${item.description}` });
    }
    return out;
  };
  // a schedule that exists already keeps its snapshots: counted before and after alike (vmsync does not list them to plan)
  const after = step.action === "delete" ? undefined : side(items(step.desired), prices);
  if (!after) return undefined;
  const before = step.action === "create" ? undefined : after;
  return { address: step.address, ...(before ? { before } : {}), after, delta: round(after.monthly - (before?.monthly ?? 0)) };
}
