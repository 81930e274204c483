import type { DesiredState, ResourceKind } from "../manifest/model.js";
import type { ObservedResource, ObserveScope, ProviderSession } from "../providers/contract.js";
import type { ObserveCache } from "../providers/observe-cache.js";
import type { StateSnapshot } from "../state/contract.js";
import { realRuntime, withRetry, type RetryPolicy } from "./retry.js";

const ALL_KINDS: ResourceKind[] = ["VmTemplate", "VirtualMachine", "Container", "NfsShare", "SnapshotSchedule"];

/** A transient error while observing (429, 5xx, a dropped socket) is retried a few times before the run fails. */
const OBSERVE_RETRY: RetryPolicy = { attempts: 4, baseMs: 500, maxMs: 8_000 };

/** Names of the providers a run needs: those of desired resources and those of managed ones. */
export function providersInUse(desired: DesiredState, state: StateSnapshot): string[] {
  const names = new Set<string>();
  for (const r of desired.resources) if (r.provider) names.add(r.provider);
  for (const r of Object.values(state.resources)) if (r.provider) names.add(r.provider);
  return [...names].sort();
}

/**
 * Observes every provider in use, concurrently (one bulk `observe` per provider), scoped to the
 * external ids in state and the names desired resources will have, each with its observation cache
 * when `caches` has one (see `ObserveScope.cache`; plan with `planFreshly` then). Transient errors
 * are retried with backoff; a provider that still fails to observe fails the whole observation:
 * planning on partial knowledge could delete or duplicate. Sessions that observe inside what the
 * providers found (the guest layer) run second, with `scope.locate` and their state records.
 */
export async function observeAll(sessions: Map<string, ProviderSession>, desired: DesiredState, state: StateSnapshot, caches?: Map<string, { cache: ObserveCache }>): Promise<Map<string, ObservedResource[]>> {
  const observeOne = async ([name, session]: [string, ProviderSession]) => {
    const externalIds = Object.values(state.resources).filter((r) => r.provider === name).map((r) => r.externalId);
    const mine = desired.resources.filter((r) => r.provider === name);
    const names = mine.map((r) => r.externalName ?? r.name);
    const cache = caches?.get(name)?.cache;
    const pendingKinds = [...new Set(Object.values(state.pending).filter((p) => p.provider === name).map((p) => p.kind as ResourceKind))];
    const read = () => session.observe({ kinds: ALL_KINDS, externalIds, names, desired: mine, ...(pendingKinds.length ? { pendingKinds } : {}), ...(cache ? { cache } : {}) });
    const { value } = await withRetry(read, { policy: OBSERVE_RETRY, runtime: realRuntime, deadline: Date.now() + 120_000, signal: new AbortController().signal });
    return [name, value] as const;
  };
  const first = new Map(await Promise.all([...sessions.entries()].filter(([, s]) => !s.observesAfterProviders).map(observeOne)));
  for (const [name, list] of await observeInside(sessions, first, desired, state)) first.set(name, list);
  return first;
}

/**
 * The second phase alone, for callers that observed the providers themselves (`vmsync status`
 * observes each provider on its own): observes the sessions that observe inside the providers'
 * objects (the guest layer) against `observed`, and returns what they found, by session name.
 */
export async function observeInside(sessions: Map<string, ProviderSession>, observed: Map<string, ObservedResource[]>, desired: DesiredState, state: StateSnapshot): Promise<Map<string, ObservedResource[]>> {
  const locate = locator(observed, desired, state);
  const out = new Map<string, ObservedResource[]>();
  for (const [name, session] of sessions) {
    if (!session.observesAfterProviders) continue;
    const records = Object.values(state.resources).filter((r) => r.provider === name);
    const mine = desired.resources.filter((r) => r.provider === name);
    out.set(name, await session.observe({
      kinds: ALL_KINDS, externalIds: records.map((r) => r.externalId), names: mine.map((r) => r.externalName ?? r.name), desired: mine,
      locate, records: records.map(({ address, externalId, appliedSpec }) => ({ address, externalId, appliedSpec })),
    }));
  }
  return out;
}

/**
 * Finds the observed object of an address the way the planner does: by the external id recorded in
 * state, else by this stack's ownership marker (a create whose record was not written yet).
 */
function locator(observed: Map<string, ObservedResource[]>, desired: DesiredState, state: StateSnapshot): NonNullable<ObserveScope["locate"]> {
  const ids = new Map<string, ObservedResource>();
  const marked = new Map<string, ObservedResource>();
  for (const [provider, list] of observed) {
    for (const o of list) {
      ids.set(`${provider}\0${o.kind}\0${o.externalId}`, o);
      if (o.marker) marked.set(`${provider}\0${o.kind}\0${o.marker.stack}\0${o.marker.address}`, o);
    }
  }
  const desiredOf = new Map(desired.resources.map((r) => [r.address, r]));
  return (address, stack) => {
    const record = state.resources[address];
    const r = desiredOf.get(address);
    const provider = record?.provider ?? r?.provider;
    const kind = record?.kind ?? r?.kind;
    if (!provider || !kind) return undefined;
    return (record ? ids.get(`${provider}\0${kind}\0${record.externalId}`) : undefined) ?? marked.get(`${provider}\0${kind}\0${stack}\0${address}`);
  };
}
