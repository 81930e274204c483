import { loadPriceTable } from "../cost/price-table.js";
import { planFreshly } from "../reconcile/fresh-reads.js";
import { observeAll, providersInUse } from "../reconcile/observe.js";
import { readCapacity } from "../reconcile/observe-capacity.js";
import { openCaches, saveCaches } from "../reconcile/observe-caches.js";
import { plan as computePlan, type PlanOptions } from "../reconcile/plan.js";
import type { Plan } from "../reconcile/plan-types.js";
import type { StateSnapshot } from "../state/contract.js";
import { fileCacheStore } from "../state/observe-cache-file.js";
import { connectProviders, type Connections } from "./connect.js";
import type { CliIO } from "./io.js";
import type { Workspace } from "./workspace.js";

/** A computed plan with what it was computed from; the caller closes `connections`. */
export interface PlannedRun {
  plan: Plan;
  state: StateSnapshot;
  connections: Connections;
}

/** Planner options plus how to observe: `fullRefresh` reads every object instead of serving unchanged ones from the observation cache. */
export interface RunOptions extends PlanOptions {
  fullRefresh?: boolean;
}

/**
 * Load state → connect → observe in bulk (with each provider's capacity, in the same pass; with the
 * observation cache in `.vmsync/cache/` beside a file state, a full refresh with --full-refresh or
 * --refresh-only) →
 * plan (pure, priced with the price table), re-reading what the plan would change
 * (`planFreshly`). The same path for plan and apply.
 */
export async function makePlan(ws: Workspace, options: RunOptions, io: CliIO, signal?: AbortSignal): Promise<PlannedRun> {
  const { fullRefresh, ...planOptions } = options;
  const state = await ws.store.read();
  const connections = await connectProviders(providersInUse(ws.desired, state), ws.desired, { stack: ws.stack, env: io.env, ...(signal ? { signal } : {}) });
  try {
    // observations are cached beside a file state only: with PostgreSQL state nothing is written locally
    const cacheStore = ws.source.backend === "file" ? fileCacheStore(ws.root, ws.stack) : undefined;
    const caches = cacheStore ? await openCaches(cacheStore, [...connections.sessions.keys()], { desired: ws.desired, state, env: io.env, now: Date.now(), reuse: !(fullRefresh || planOptions.refreshOnly) }) : undefined;
    const [observed, capacity, prices] = await Promise.all([observeAll(connections.sessions, ws.desired, state, caches), readCapacity(connections.sessions, ws.desired), loadPriceTable(io.env)]);
    const { plan } = await planFreshly({
      sessions: connections.sessions, observed,
      plan: (o) => computePlan({ stack: ws.stack, desired: ws.desired, observed: o, state, providers: connections.providers, options: planOptions, capacity, prices }),
    });
    if (cacheStore && caches) await saveCaches(cacheStore, caches);
    return { plan: { ...plan, manifests: ws.paths, stateSource: ws.source }, state, connections };
  } catch (err) {
    await connections.close();
    throw err;
  }
}
