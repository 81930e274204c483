import type { DesiredProvider } from "../manifest/model.js";
import type { CanonicalSpec, CapacityPool, Demand, Provider } from "../providers/contract.js";
import { formatAmount } from "./amounts.js";
import type { CapacityLine, PlanStep } from "./plan-types.js";

/** Above this share of `total` after the plan, a pool is reported as a warning. */
export const NEAR_FULL = 0.9;

/** What the check needs; all of it data (the planner stays pure). */
export interface CapacityCheckInput {
  steps: PlanStep[];
  /** Capacity pools by provider name, as `ProviderSession.capacity` read them. */
  pools: Map<string, CapacityPool[]>;
  providers: Map<string, Provider>;
  configs: Map<string, DesiredProvider>;
  /** The observed canonical spec a step starts from (updates, replaces, deletes). */
  observedSpec(step: PlanStep): CanonicalSpec | undefined;
}

/** The check's result: lines of the pools the plan changes, and the steps that do not fit with why. */
export interface CapacityResult {
  lines: CapacityLine[];
  blocked: Map<string, string>;
}

const CHANGING = new Set(["create", "update", "replace", "delete"]);

function sum(into: Map<string, number>, demands: Demand[], sign: 1 | -1): void {
  for (const d of demands) into.set(d.pool, (into.get(d.pool) ?? 0) + sign * d.amount);
}

/** What a step adds to each pool key (after − before demand); empty when the provider has no demand function. */
function stepDeltas(step: PlanStep, input: CapacityCheckInput): Map<string, number> {
  const out = new Map<string, number>();
  const provider = step.provider ? input.providers.get(step.provider) : undefined;
  const config = step.provider ? input.configs.get(step.provider) : undefined;
  if (!provider?.demand || !config) return out;
  if (step.action !== "create" && step.action !== "update" && step.action !== "replace" && step.action !== "delete") return out;
  const before = step.action === "create" ? undefined : input.observedSpec(step);
  if (before) sum(out, provider.demand(step.kind, before, config), -1);
  if (step.action !== "delete" && step.desired) sum(out, provider.demand(step.kind, step.desired, config), 1);
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

/**
 * Checks that what the plan creates or grows fits (pure): per provider and pool, frees (deletes,
 * shrinks) count first, then steps that add are taken in address order; a step that would take a
 * pool past its `total` is blocked with the numbers (needed, free, after the plan) and adds
 * nothing. Pools no step touches are not reported; demands on pools the provider did not report
 * (an unknown node or storage) are not checked.
 */
export function checkCapacity(input: CapacityCheckInput): CapacityResult {
  const blocked = new Map<string, string>();
  const state = new Map<string, { provider: string; pool: CapacityPool; running: number; needed: number; steps: Set<string>; over: boolean }>();
  const resolve = (provider: string, key: string) => {
    const pools = input.pools.get(provider);
    const pool = pools?.find((p) => p.key === key || p.aliases?.includes(key));
    if (!pool) return undefined;
    const id = `${provider}\0${pool.key}`;
    if (!state.has(id)) state.set(id, { provider, pool, running: pool.used, needed: 0, steps: new Set(), over: false });
    return state.get(id)!;
  };
  const work = input.steps
    .filter((s) => s.provider && !s.blocked && CHANGING.has(s.action) && !s.recordOnly && input.pools.has(s.provider))
    .map((s) => ({ step: s, deltas: [...stepDeltas(s, input)].map(([key, amount]) => ({ slot: resolve(s.provider!, key), amount })).filter((d) => d.slot !== undefined) }))
    .filter((w) => w.deltas.length > 0);
  for (const w of work) for (const d of w.deltas) if (d.amount < 0) d.slot!.running += d.amount;
  for (const w of work) {
    const over = w.deltas.filter((d) => d.amount > 0 && d.slot!.running + d.amount > d.slot!.pool.total);
    if (over.length) {
      for (const d of w.deltas) if (d.amount < 0) d.slot!.running -= d.amount;
      for (const d of over) d.slot!.over = true;
      blocked.set(w.step.address, `does not fit: ${over.map((d) => describe(d.slot!.pool, d.amount, d.slot!.running)).join("; ")}`);
      continue;
    }
    for (const d of w.deltas) {
      if (d.amount > 0) d.slot!.running += d.amount;
      d.slot!.needed += d.amount;
      d.slot!.steps.add(w.step.address);
    }
  }
  const lines: CapacityLine[] = [...state.values()].map((s) => {
    const after = s.pool.used + s.needed;
    const status = s.over ? "over" : s.pool.total > 0 && after > NEAR_FULL * s.pool.total ? "warning" : "ok";
    return {
      provider: s.provider, pool: s.pool.key, label: s.pool.label, unit: s.pool.unit, total: s.pool.total, used: s.pool.used,
      needed: s.needed, after, free: s.pool.total - s.pool.used, status, steps: [...s.steps].sort(),
    };
  });
  return { lines: lines.sort((a, b) => a.provider.localeCompare(b.provider) || a.pool.localeCompare(b.pool)), blocked };
}

function describe(pool: CapacityPool, amount: number, running: number): string {
  const f = (n: number) => formatAmount(pool.unit, n);
  return `${pool.label} needs ${f(amount)}, ${f(Math.max(0, pool.total - running))} free of ${f(pool.total)} (${f(running + amount)} after the plan)`;
}

/**
 * Every pool as it is now, as plan lines with nothing needed (for `vmsync status`, which shows each
 * provider's capacity whether or not a plan touches it): warnings above 90 % used.
 */
export function capacityNow(pools: Map<string, CapacityPool[]>): CapacityLine[] {
  const out: CapacityLine[] = [];
  for (const [provider, list] of pools) {
    for (const p of list) {
      const status = p.total > 0 && p.used > NEAR_FULL * p.total ? (p.used > p.total ? "over" : "warning") : "ok";
      out.push({ provider, pool: p.key, label: p.label, unit: p.unit, total: p.total, used: p.used, needed: 0, after: p.used, free: p.total - p.used, status, steps: [] });
    }
  }
  return out.sort((a, b) => a.provider.localeCompare(b.provider) || a.pool.localeCompare(b.pool));
}
