import type { DesiredState, ResourceKind } from "../manifest/model.js";
import type { ObservedResource, ProviderSession } from "../providers/contract.js";
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
 * external ids in state and the names desired resources will have. Transient errors are retried
 * with backoff; a provider that still fails to observe fails the whole observation: planning on
 * partial knowledge could delete or duplicate.
 */
export async function observeAll(sessions: Map<string, ProviderSession>, desired: DesiredState, state: StateSnapshot): Promise<Map<string, ObservedResource[]>> {
  const entries = await Promise.all(
    [...sessions.entries()].map(async ([name, session]) => {
      const externalIds = Object.values(state.resources).filter((r) => r.provider === name).map((r) => r.externalId);
      const mine = desired.resources.filter((r) => r.provider === name);
      const names = mine.map((r) => r.externalName ?? r.name);
      const read = () => session.observe({ kinds: ALL_KINDS, externalIds, names, desired: mine });
      const { value } = await withRetry(read, { policy: OBSERVE_RETRY, runtime: realRuntime, deadline: Date.now() + 120_000, signal: new AbortController().signal });
      return [name, value] as const;
    }),
  );
  return new Map(entries);
}
