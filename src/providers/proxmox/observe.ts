import type { ObservedResource, ObserveScope } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext } from "./errors.js";
import { agentAddresses, withAddresses } from "./agent-addresses.js";
import { guestKey, listGuests, readGuest, readGuests } from "./guests.js";
import { guestId, observedGuest, parseGuestId, tagsOf } from "./normalise.js";
import { mapLimit } from "./sync.js";
import { observeStorages } from "./storage.js";
import { serveOrRead } from "./guest-cache.js";
import { observeContainers, rereadContainers } from "./lxc-observe.js";

/**
 * `ProviderSession.observe`: the guests from the live per-node lists (one call per node), then the
 * configs of the guests in scope — known from state, named like a desired resource (to report
 * same-named unowned ones as conflicts), or tagged `vmsync` (to adopt interrupted creates) — read
 * with at most `readConcurrency` requests in flight, except those the observation cache may serve
 * (their list summary is unchanged and their last read younger than `fullReadInterval`); plus one
 * `/storage?type=nfs` call for NFS storages, and the LXC containers (`lxc-observe.ts`). Everything
 * comes back canonical (see `normalise.ts`, `storage.ts`, `lxc-normalise.ts`). Running VMs with the
 * guest agent enabled get `status.addresses` from it (`agent-addresses.ts`) at every observe, those
 * served from the cache too: addresses are runtime facts that change without a config change, so
 * the cache never keeps them.
 */
export async function observeProxmox(c: ProxmoxContext, scope: ObserveScope, signal?: AbortSignal): Promise<ObservedResource[]> {
  return inContext(`observe proxmox provider ${c.providerName}`, async () => {
    c.cache = scope.cache;
    // the three collections are independent reads: listed and read concurrently, reported in this order
    const [guests, storages, containers] = await Promise.all([
      scope.kinds.includes("VirtualMachine") || scope.kinds.includes("VmTemplate") ? observeGuests(c, scope, signal) : [],
      scope.kinds.includes("NfsShare") ? observeStorages(c, scope, signal) : [],
      observeContainers(c, scope, signal),
    ]);
    return [...guests, ...storages, ...containers];
  });
}

/** The QEMU guests in scope: listed per node, configs served from the cache or read, with agent addresses. */
async function observeGuests(c: ProxmoxContext, scope: ObserveScope, signal?: AbortSignal): Promise<ObservedResource[]> {
  const out: ObservedResource[] = [];
  const ids = new Set(scope.externalIds);
  const names = new Set(scope.names);
  const entries = (await listGuests(c, signal)).filter((e) => ids.has(guestId(e.node, e.vmid)) || names.has(e.name) || tagsOf(e.tags).marked);
  const seen = await serveOrRead(scope.cache, entries, { key: guestKey, intervalMs: c.fullReadIntervalMs }, async (toRead) => {
    const views = await readGuests(c, toRead, signal);
    const byId = new Map(toRead.map((e) => [guestId(e.node, e.vmid), e]));
    return views.map((g) => [byId.get(guestId(g.node, g.vmid))!, observedGuest(g)] as const);
  });
  for (const o of seen) if (scope.kinds.includes(o.kind)) out.push(o);
  withAddresses(out, await agentAddresses(c, out, signal));
  return out;
}

/**
 * `ProviderSession.reread`: reads these guests' configs again (guests gone are left out), for a
 * plan that would change or delete a guest (QEMU or LXC) it served from the cache; their cache
 * entries are dropped (the next observe reads them). Storages are never cached.
 */
export async function rereadProxmox(c: ProxmoxContext, targets: Array<{ kind: string; externalId: string }>): Promise<ObservedResource[]> {
  const guests = targets.filter((t) => t.kind === "VirtualMachine" || t.kind === "VmTemplate").map((t) => parseGuestId(t.externalId));
  const containers = targets.filter((t) => t.kind === "Container").map((t) => parseGuestId(t.externalId));
  return inContext(`read proxmox provider ${c.providerName} again`, async () => {
    for (const g of guests) c.cache?.forget(guestKey(g));
    const views = await mapLimit(guests, c.readConcurrency, (g) => readGuest(c, g.node, g.vmid));
    return [...views.filter((g) => g !== undefined).map((g) => observedGuest(g)), ...(await rereadContainers(c, containers))];
  });
}
