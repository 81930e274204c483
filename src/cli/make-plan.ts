import { loadPriceTable } from "../cost/price-table.js";
import { observeAll, providersInUse } from "../reconcile/observe.js";
import { readCapacity } from "../reconcile/observe-capacity.js";
import { plan as computePlan, type PlanOptions } from "../reconcile/plan.js";
import type { Plan } from "../reconcile/plan-types.js";
import type { StateSnapshot } from "../state/contract.js";
import { connectProviders, type Connections } from "./connect.js";
import type { CliIO } from "./io.js";
import type { Workspace } from "./workspace.js";

/** A computed plan with what it was computed from; the caller closes `connections`. */
export interface PlannedRun {
  plan: Plan;
  state: StateSnapshot;
  connections: Connections;
}

/**
 * Load state → connect → observe in bulk (with each provider's capacity, in the same pass) → plan
 * (pure, priced with the price table). The same path for plan and apply.
 */
export async function makePlan(ws: Workspace, options: PlanOptions, io: CliIO, signal?: AbortSignal): Promise<PlannedRun> {
  const state = await ws.store.read();
  const connections = await connectProviders(providersInUse(ws.desired, state), ws.desired, { stack: ws.stack, env: io.env, ...(signal ? { signal } : {}) });
  try {
    const [observed, capacity, prices] = await Promise.all([observeAll(connections.sessions, ws.desired, state), readCapacity(connections.sessions, ws.desired), loadPriceTable(io.env)]);
    const plan = computePlan({ stack: ws.stack, desired: ws.desired, observed, state, providers: connections.providers, options, capacity, prices });
    return { plan: { ...plan, manifests: ws.paths, stateSource: ws.source }, state, connections };
  } catch (err) {
    await connections.close();
    throw err;
  }
}
