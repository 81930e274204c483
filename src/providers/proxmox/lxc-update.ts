import { ProviderError, type ObservedResource, type OperationContext, type UpdateRequest } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext } from "./errors.js";
import type { MarkerLine } from "./marker.js";
import { parseGuestId } from "./normalise.js";
import { ctMarker, ctUpdateParams, type BindPath } from "./lxc-config.js";
import { ctMarkerOf, ctPath, readContainer, storagePaths } from "./lxc-guests.js";
import type { CtView } from "./lxc-normalise.js";
import { observeView } from "./lxc-observe.js";
import { ctHasPending, ctPower } from "./lxc-power.js";
import type { CtSpec } from "./lxc-spec.js";
import { runTask } from "./tasks.js";
import { topField } from "./vm-config.js";

/**
 * Applying a container's changes. Containers have no config task: `PUT …/config` is synchronous; a
 * running container takes what it can hot-plug (cores, memory, swap, NICs, new mount points,
 * hostname, tags, …) and PVE keeps the rest pending; volumes grow with `resize` (online). When a
 * change's effect was `restart` and PVE left changes pending, the container is rebooted.
 */

/** Host directories of the storages binds name, fetched once (only when a bind names a storage). */
export async function bindResolver(c: ProxmoxContext, spec: CtSpec, op: OperationContext): Promise<BindPath> {
  const needed = Object.values(spec.mountPoints).some((m) => m.bind?.storage);
  const storages = needed ? await storagePaths(c, op.signal) : new Map<string, string>();
  const bindPath: BindPath = (b) => {
    if (b.hostPath !== undefined) return b.hostPath;
    const root = storages.get(b.storage ?? "");
    if (!root) throw new ProviderError(`storage '${b.storage}' has no directory on the nodes (it is not a mounted NFS/CIFS/directory storage); cannot bind-mount it`, { code: "PROXMOX_BIND_SOURCE", retryable: false });
    return b.subdir ? `${root}/${b.subdir}` : root;
  };
  return bindPath;
}

/** Brings the container's `fields` to `desired`: stop if asked, PUT config, resizes, then start — or reboot when changes stay pending. */
export async function applyToContainer(c: ProxmoxContext, v: CtView, desired: CtSpec, fields: Set<string>, marker: MarkerLine, op: OperationContext, opts: { reboot: boolean }): Promise<void> {
  let running = v.running;
  if (fields.has("power") && desired.power === "stopped" && running) {
    await ctPower(c, v, "shutdown", op);
    running = false;
  }
  const bindPath = await bindResolver(c, desired, op);
  const p = ctUpdateParams(desired, v.config, fields, marker, bindPath);
  if (Object.keys(p.set).length > 0 || p.del.length > 0) {
    await c.api.put(`${ctPath(v)}/config`, { ...p.set, ...(p.del.length ? { delete: p.del.join(",") } : {}) }, { signal: op.signal });
  }
  for (const r of p.resize) await runTask(c.api, { method: "PUT", path: `${ctPath(v)}/resize`, params: { disk: r.disk, size: `${r.size}M` } }, op);
  if (!desired.template && desired.power === "running" && !running && fields.has("power")) await ctPower(c, v, "start", op);
  else if (running && opts.reboot && desired.power !== "stopped" && (await ctHasPending(c, v, op))) await ctPower(c, v, "reboot", op);
}

/** Refuses to touch a container whose marker names another stack or address. */
function checkOwner(v: CtView, marker: { stack: string; address: string }, what: string): void {
  const m = ctMarkerOf(v);
  if (m && (m.stack !== marker.stack || m.address !== marker.address)) {
    throw new ProviderError(`cannot ${what}: CT ${v.vmid} carries the marker of ${m.address} in stack "${m.stack}"; vmsync does not change objects it does not own`, { code: "PROXMOX_NOT_OWNED", retryable: false });
  }
}

/**
 * The marker to write on an update: the create-time facts the container already records stay as
 * they are (an update never rewrites what a create did); missing ones are recorded from the spec.
 */
function updateMarker(base: MarkerLine, desired: CtSpec, v: CtView): MarkerLine {
  const want = ctMarker(base, desired);
  const have = ctMarkerOf(v);
  return {
    ...want,
    ...(have?.cloneOf ? { cloneOf: have.cloneOf, ...(have.clone ? { clone: have.clone } : {}) } : {}),
    extra: { ...(want.extra ?? {}), ...(have?.extra ?? {}) },
  };
}

/** `ProviderSession.update` for a Container. */
export async function updateContainer(c: ProxmoxContext, req: UpdateRequest, op: OperationContext): Promise<ObservedResource> {
  const { node, vmid } = parseGuestId(req.externalId);
  const desired = req.spec as unknown as CtSpec;
  const what = `update proxmox container ${desired.hostname}`;
  return inContext(what, async () => {
    const v = await readContainer(c, node, vmid, op.signal);
    if (!v) throw new ProviderError(`CT ${vmid} no longer exists on node ${node}`, { code: "PROXMOX_NOT_FOUND", retryable: false });
    checkOwner(v, req.marker, what);
    const fields = new Set(req.changes.map((ch) => topField(ch.path)));
    await applyToContainer(c, v, desired, fields, updateMarker(req.marker, desired, v), op, { reboot: req.changes.some((ch) => ch.effect === "restart") });
    const after = await readContainer(c, node, vmid, op.signal);
    if (!after) throw new ProviderError(`CT ${vmid} disappeared during the update`, { code: "PROXMOX_NOT_FOUND", retryable: true });
    return observeView(c, after, op.signal);
  });
}
