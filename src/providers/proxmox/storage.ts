import { ProviderError, type CreateRequest, type DeleteRequest, type ObservedResource, type ObserveScope, type OperationContext, type UpdateRequest } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError } from "./errors.js";
import { parseStorageMarkerPath, storageMarkerPath } from "./marker.js";
import type { NfsStorageSpec } from "./spec-types.js";

/**
 * NFS storages registered for `NfsShare` attachments (`NfsShare/<share>@<provider>`, external id
 * and name = the storage id). Ownership is marked by the mount path vmsync sets at creation,
 * `/mnt/vmsync/<stack>/<share>` (storages have no description or tags). Storage config calls are
 * synchronous in PVE (no UPID). `server`, `export` and `path` are fixed after creation.
 */
type StorageEntry = Record<string, string | number | undefined>;

function list(v: unknown): string[] {
  return [...new Set(String(v ?? "").split(/[,;\s]+/).filter(Boolean))].sort();
}

function shareNameOf(address: string): string {
  return address.replace(/^NfsShare\//, "").replace(/@[^@]*$/, "");
}

/** The observed resource of an NFS storage entry. */
export function observedStorage(c: ProxmoxContext, s: StorageEntry): ObservedResource {
  const id = String(s.storage);
  const mark = parseStorageMarkerPath(s.path === undefined ? undefined : String(s.path));
  const nodes = list(s.nodes);
  const spec: NfsStorageSpec = {
    storage: id, server: String(s.server ?? ""), export: String(s.export ?? ""), content: list(s.content),
    nodes: nodes.length ? nodes : null, options: s.options !== undefined ? String(s.options) : null,
  };
  return {
    kind: "NfsShare", externalId: id, name: id, spec: spec as unknown as Record<string, unknown>,
    ...(mark ? { marker: { stack: mark.stack, address: `NfsShare/${mark.shareName}@${c.providerName}` } } : {}),
    status: { placement: nodes.length ? nodes.join(",") : "all nodes" },
  };
}

/** Every NFS storage in scope: named by the plan, known from state, or carrying a vmsync marker path. */
export async function observeStorages(c: ProxmoxContext, scope: ObserveScope, signal?: AbortSignal): Promise<ObservedResource[]> {
  const entries = await c.api.get<StorageEntry[]>("/storage", { type: "nfs" }, signal ? { signal } : {});
  const wanted = new Set([...scope.names, ...scope.externalIds]);
  return entries.filter((s) => s.type === "nfs" && (wanted.has(String(s.storage)) || parseStorageMarkerPath(String(s.path ?? "")))).map((s) => observedStorage(c, s));
}

async function readStorage(c: ProxmoxContext, id: string, signal?: AbortSignal): Promise<StorageEntry | undefined> {
  try {
    return await c.api.get<StorageEntry>(`/storage/${id}`, undefined, signal ? { signal } : {});
  } catch (err) {
    if (err instanceof ProxmoxApiError && err.notFound) return undefined;
    throw err;
  }
}

function owned(c: ProxmoxContext, s: StorageEntry, address: string): boolean {
  const m = parseStorageMarkerPath(String(s.path ?? ""));
  return m !== undefined && m.stack === c.stack && `NfsShare/${m.shareName}@${c.providerName}` === address;
}

function mutable(spec: NfsStorageSpec): Record<string, string> {
  return { content: spec.content.join(","), ...(spec.nodes ? { nodes: spec.nodes.join(",") } : {}), ...(spec.options ? { options: spec.options } : {}) };
}

/** Registers the NFS storage (adopting one this stack already registered under that id). */
export async function createStorage(c: ProxmoxContext, req: CreateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as NfsStorageSpec;
  return inContext(`register nfs storage ${spec.storage} on proxmox ${c.providerName}`, async () => {
    if (!spec.server) throw new ProviderError("the NFS server is unknown: set attachTo.server (the exporting provider's endpoint is not a literal host)", { code: "PROXMOX_NFS_SERVER", retryable: false });
    const existing = await readStorage(c, spec.storage, op.signal);
    if (existing && !owned(c, existing, req.address)) {
      throw new ProviderError(`storage '${spec.storage}' already exists and vmsync did not register it for ${req.address}`, { code: "PROXMOX_NOT_OWNED", retryable: false });
    }
    if (!existing) {
      // qcow2 as the storage's default image format: raw images on NFS cannot be snapshotted, and
      // vmsync's snapshot schedules must work on VMs whose disks live there
      const params = { storage: spec.storage, type: "nfs", server: spec.server, export: spec.export, path: storageMarkerPath(c.stack, shareNameOf(req.address)), format: "qcow2", ...mutable(spec) };
      try {
        await c.api.post("/storage", params, { signal: op.signal });
      } catch (err) {
        if (!(err instanceof ProxmoxApiError && /already defined/i.test(err.detail))) throw err;
      }
    } else await c.api.put(`/storage/${spec.storage}`, { ...mutable(spec), ...(spec.nodes ? {} : { delete: "nodes" }) }, { signal: op.signal });
    const after = await readStorage(c, spec.storage, op.signal);
    if (!after || !owned(c, after, req.address)) throw new ProviderError(`storage '${spec.storage}' was not registered as ${req.address}`, { code: "PROXMOX_NOT_OWNED", retryable: false });
    return observedStorage(c, after);
  });
}

/** Updates content, nodes and mount options in place. */
export async function updateStorage(c: ProxmoxContext, req: UpdateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as NfsStorageSpec;
  return inContext(`update nfs storage ${req.externalId} on proxmox ${c.providerName}`, async () => {
    const cur = await readStorage(c, req.externalId, op.signal);
    if (!cur) throw new ProviderError(`storage '${req.externalId}' no longer exists`, { code: "PROXMOX_NOT_FOUND", retryable: false });
    const del = [...(spec.nodes ? [] : cur.nodes !== undefined ? ["nodes"] : []), ...(spec.options || cur.options === undefined ? [] : ["options"])];
    await c.api.put(`/storage/${req.externalId}`, { ...mutable(spec), ...(del.length ? { delete: del.join(",") } : {}) }, { signal: op.signal });
    return observedStorage(c, (await readStorage(c, req.externalId, op.signal))!);
  });
}

/** Removes the storage definition (the exported data is untouched); done when already gone. */
export async function deleteStorage(c: ProxmoxContext, req: DeleteRequest, op: OperationContext): Promise<void> {
  await inContext(`remove nfs storage ${req.externalId} from proxmox ${c.providerName}`, async () => {
    const cur = await readStorage(c, req.externalId, op.signal);
    if (!cur) return;
    if (!owned(c, cur, req.address)) throw new ProviderError(`storage '${req.externalId}' is not marked as ${req.address} of stack "${c.stack}"; nothing was removed`, { code: "PROXMOX_NOT_OWNED", retryable: false });
    try {
      await c.api.delete(`/storage/${req.externalId}`, undefined, { signal: op.signal });
    } catch (err) {
      if (!(err instanceof ProxmoxApiError && err.notFound)) throw err;
    }
  });
}
