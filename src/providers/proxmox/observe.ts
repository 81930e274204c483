import type { ObservedResource, ObserveScope } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext } from "./errors.js";
import { agentAddresses, withAddresses } from "./agent-addresses.js";
import { listGuests, readGuests } from "./guests.js";
import { guestId, observedGuest, tagsOf } from "./normalise.js";
import { observeStorages } from "./storage.js";
import { observeContainers } from "./lxc-observe.js";

/**
 * `ProviderSession.observe`: the guests from the live per-node lists (one call per node), then the
 * configs of the guests in scope — known from state, named like a desired resource (to report
 * same-named unowned ones as conflicts), or tagged `vmsync` (to adopt interrupted creates) — read
 * with at most `spec.concurrency` requests in flight; plus one `/storage?type=nfs` call for NFS
 * storages, and the LXC containers (`lxc-observe.ts`). Everything comes back canonical (see
 * `normalise.ts`, `storage.ts`, `lxc-normalise.ts`). Running VMs with the
 * guest agent enabled get `status.addresses` from it (`agent-addresses.ts`).
 */
export async function observeProxmox(c: ProxmoxContext, scope: ObserveScope, signal?: AbortSignal): Promise<ObservedResource[]> {
  return inContext(`observe proxmox provider ${c.providerName}`, async () => {
    const out: ObservedResource[] = [];
    if (scope.kinds.includes("VirtualMachine") || scope.kinds.includes("VmTemplate")) {
      const ids = new Set(scope.externalIds);
      const names = new Set(scope.names);
      const entries = (await listGuests(c, signal)).filter((e) => ids.has(guestId(e.node, e.vmid)) || names.has(e.name) || tagsOf(e.tags).marked);
      const views = await readGuests(c, entries, signal);
      for (const g of views) {
        const o = observedGuest(g);
        if (scope.kinds.includes(o.kind)) out.push(o);
      }
      withAddresses(out, await agentAddresses(c, views, signal));
    }
    if (scope.kinds.includes("NfsShare")) out.push(...(await observeStorages(c, scope, signal)));
    out.push(...(await observeContainers(c, scope, signal)));
    return out;
  });
}
