import type { ObservedResource, ObserveScope } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { guestId, tagsOf } from "./normalise.js";
import { observedContainer, type CtView, type StoragePaths } from "./lxc-normalise.js";
import { ctKey, listContainers, readContainer, readContainers, storagePaths } from "./lxc-guests.js";
import { serveOrRead } from "./guest-cache.js";
import { mapLimit } from "./sync.js";

/**
 * The containers of `ProviderSession.observe`: the live per-node lists (one call per node), then the
 * configs of the containers in scope — known from state, named like a desired resource (to report
 * same-named unowned ones as conflicts), or tagged `vmsync` (to adopt interrupted creates) — with at
 * most `readConcurrency` reads in flight, except those the observation cache may serve (as for QEMU
 * guests, observe.ts), plus one `GET /storage` when any of those read has a bind mount point (to
 * name the storage a bind source lies in).
 */
export async function observeContainers(c: ProxmoxContext, scope: ObserveScope, signal?: AbortSignal): Promise<ObservedResource[]> {
  if (!scope.kinds.includes("Container")) return [];
  const ids = new Set(scope.externalIds);
  const names = new Set(scope.names);
  const entries = (await listContainers(c, signal)).filter((e) => ids.has(guestId(e.node, e.vmid)) || names.has(e.name) || tagsOf(e.tags).marked);
  return serveOrRead(scope.cache, entries, { key: ctKey, intervalMs: c.fullReadIntervalMs }, async (toRead) => {
    const views = await readContainers(c, toRead, signal);
    const storages: StoragePaths = views.some(hasBind) ? await storagePaths(c, signal) : new Map();
    const byId = new Map(toRead.map((e) => [guestId(e.node, e.vmid), e]));
    return views.map((v) => [byId.get(guestId(v.node, v.vmid))!, observedContainer(v, storages)] as const);
  });
}

/** Reads containers again (for `ProviderSession.reread`); those gone are left out. */
export async function rereadContainers(c: ProxmoxContext, refs: Array<{ node: string; vmid: number }>): Promise<ObservedResource[]> {
  for (const r of refs) c.cache?.forget(ctKey(r));
  const views = await mapLimit(refs, c.readConcurrency, (r) => readContainer(c, r.node, r.vmid));
  return Promise.all(views.filter((v): v is CtView => v !== undefined).map((v) => observeView(c, v)));
}

function hasBind(v: CtView): boolean {
  return Object.entries(v.config).some(([k, val]) => /^mp\d+$/.test(k) && String(val).startsWith("/"));
}

/** The observed resource of one container just read (after a create or update). */
export async function observeView(c: ProxmoxContext, v: CtView, signal?: AbortSignal): Promise<ObservedResource> {
  return observedContainer(v, hasBind(v) ? await storagePaths(c, signal) : new Map());
}
