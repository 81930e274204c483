import { loadManifests } from "../manifest/load.js";
import { GUEST_PROVIDER } from "../manifest/model.js";
import type { ObservedStatus } from "../providers/contract.js";
import type { ResourceRecord } from "../state/contract.js";
import { connectProviders } from "./connect.js";

/** What `state show` adds to a record: the provider's runtime facts now, or why they are not shown. */
export type LiveStatus = { status: ObservedStatus } | { statusUnavailable: string };

/**
 * Reads the runtime facts of one managed object (power, placement, addresses — for a VM the
 * addresses the guest agent, the NIC or `guest.address` give) from its provider, observing only it.
 * It needs the manifests beside the state (for the provider's settings); anything that goes wrong
 * is reported as `statusUnavailable`, never as a failure of `state show`. Undefined for records
 * without a provider object of their own (schedules kept by vmsync, guests).
 */
export async function liveStatus(record: ResourceRecord, opts: { dir: string; cwd: string; stack: string; env: NodeJS.ProcessEnv }): Promise<LiveStatus | undefined> {
  // vmsync's own records (schedules) and guests (their VM's record shows the addresses) have no provider object
  if (!record.provider || record.provider === GUEST_PROVIDER) return undefined;
  const loaded = await loadManifests([opts.dir], opts.cwd);
  if (loaded.errors > 0) return { statusUnavailable: "the manifests beside the state have errors (run vmsync validate)" };
  if (!loaded.desired.providers.has(record.provider)) return { statusUnavailable: `provider "${record.provider}" is not in the manifests` };
  try {
    const conn = await connectProviders([record.provider], loaded.desired, { stack: opts.stack, env: opts.env });
    try {
      const desired = loaded.desired.resources.filter((r) => r.address === record.address);
      const observed = await conn.sessions.get(record.provider)!.observe({ kinds: [record.kind as ResourceRecord["kind"] as never], externalIds: [record.externalId], names: desired.map((r) => r.externalName ?? r.name), desired });
      const o = observed.find((x) => x.externalId === record.externalId);
      if (!o) return { statusUnavailable: `not found at provider "${record.provider}" (deleted outside vmsync?)` };
      return { status: o.status ?? {} };
    } finally {
      await conn.close();
    }
  } catch (err) {
    return { statusUnavailable: `cannot observe it: ${err instanceof Error ? err.message : String(err)}` };
  }
}
