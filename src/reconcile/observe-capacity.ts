import type { DesiredState, ResourceKind } from "../manifest/model.js";
import type { CapacityPool, ProviderSession } from "../providers/contract.js";
import { realRuntime, withRetry, type RetryPolicy } from "./retry.js";

const ALL_KINDS: ResourceKind[] = ["VmTemplate", "VirtualMachine", "NfsShare", "SnapshotSchedule"];
const RETRY: RetryPolicy = { attempts: 4, baseMs: 500, maxMs: 8_000 };

/**
 * Reads the capacity of every provider whose session can (`ProviderSession.capacity`), concurrently
 * and meant to run alongside `observeAll` (one observe pass). Transient errors are retried like
 * observe's; a provider that still fails fails the run, as observe does — a plan checked against
 * half the capacity could overfill a node.
 */
export async function readCapacity(sessions: Map<string, ProviderSession>, desired: DesiredState): Promise<Map<string, CapacityPool[]>> {
  const entries = await Promise.all(
    [...sessions.entries()].filter(([, s]) => typeof s.capacity === "function").map(async ([name, session]) => {
      const mine = desired.resources.filter((r) => r.provider === name);
      const read = () => session.capacity!({ kinds: ALL_KINDS, externalIds: [], names: mine.map((r) => r.externalName ?? r.name), desired: mine });
      const { value } = await withRetry(read, { policy: RETRY, runtime: realRuntime, deadline: Date.now() + 120_000, signal: new AbortController().signal });
      return [name, value] as const;
    }),
  );
  return new Map(entries);
}
