import type { ObservedResource, ObserveScope } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { guestId, tagsOf } from "./normalise.js";
import { observedContainer, type CtView, type StoragePaths } from "./lxc-normalise.js";
import { listContainers, readContainers, storagePaths } from "./lxc-guests.js";

/**
 * The containers of `ProviderSession.observe`: the live per-node lists (one call per node), then the
 * configs of the containers in scope — known from state, named like a desired resource (to report
 * same-named unowned ones as conflicts), or tagged `vmsync` (to adopt interrupted creates) — with at
 * most `spec.concurrency` reads in flight, plus one `GET /storage` when any of them has a bind mount
 * point (to name the storage a bind source lies in).
 */
export async function observeContainers(c: ProxmoxContext, scope: ObserveScope, signal?: AbortSignal): Promise<ObservedResource[]> {
  if (!scope.kinds.includes("Container")) return [];
  const ids = new Set(scope.externalIds);
  const names = new Set(scope.names);
  const entries = (await listContainers(c, signal)).filter((e) => ids.has(guestId(e.node, e.vmid)) || names.has(e.name) || tagsOf(e.tags).marked);
  const views = await readContainers(c, entries, signal);
  const storages: StoragePaths = views.some(hasBind) ? await storagePaths(c, signal) : new Map();
  return views.map((v) => observedContainer(v, storages));
}

function hasBind(v: CtView): boolean {
  return Object.entries(v.config).some(([k, val]) => /^mp\d+$/.test(k) && String(val).startsWith("/"));
}

/** The observed resource of one container just read (after a create or update). */
export async function observeView(c: ProxmoxContext, v: CtView, signal?: AbortSignal): Promise<ObservedResource> {
  return observedContainer(v, hasBind(v) ? await storagePaths(c, signal) : new Map());
}
