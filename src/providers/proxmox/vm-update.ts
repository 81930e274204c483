import { ProviderError, type ObservedResource, type OperationContext, type UpdateRequest } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext } from "./errors.js";
import { guestPath, markerOf, readGuest } from "./guests.js";
import type { MarkerLine } from "./marker.js";
import { cicustomUser, observedGuest, parseGuestId, type GuestView } from "./normalise.js";
import { removeSnippet, uploadSnippet } from "./snippets.js";
import type { VmSpec } from "./spec-types.js";
import { runTask } from "./tasks.js";
import { topField, updateParams } from "./vm-config.js";
import { hasPending, power } from "./vm-power.js";

/** How `applyToGuest` may handle power: reboot to apply pending changes, start/stop for `power`. */
export interface ApplyOptions {
  /** Reboot a running VM that has pending changes afterwards (a change's effect was `restart`). */
  reboot: boolean;
}

/**
 * Brings a guest's `fields` (top-level canonical fields) to `desired`: stops first when it should be
 * stopped, writes the config keys that differ (one `POST …/config` task, guarded by the digest of
 * the config `g` holds: running guests get the hot-pluggable part now, the rest goes pending),
 * grows disks with `resize` tasks, then starts it, or reboots it when asked and PVE left changes
 * pending.
 */
export async function applyToGuest(c: ProxmoxContext, g: GuestView, desired: VmSpec, fields: Set<string>, marker: MarkerLine, op: OperationContext, opts: ApplyOptions): Promise<void> {
  let running = g.running;
  if (fields.has("power") && desired.power === "stopped" && running) {
    await power(c, g, "shutdown", op);
    running = false;
  }
  const p = updateParams(desired, g.config, fields, marker);
  const snippet = fields.has("cloudInit") ? desired.cloudInit?.snippet : undefined;
  if (snippet && desired.cloudInit?._userData) await uploadSnippet(c, g.node, { volid: snippet, content: desired.cloudInit._userData }, op);
  if (Object.keys(p.set).length > 0 || p.del.length > 0) {
    // the config write carries the digest of the config it was computed from: PVE refuses it
    // ("checksum mismatch") when someone changed the guest in between, instead of writing over it
    const digest = running === g.running && typeof g.config.digest === "string" ? { digest: g.config.digest } : {};
    await runTask(c.api, { method: "POST", path: `${guestPath(g)}/config`, params: { ...p.set, ...(p.del.length ? { delete: p.del.join(",") } : {}), ...digest } }, op);
  }
  // the snippet the VM no longer names goes (vmsync's own files only)
  const previous = cicustomUser(g.config.cicustom);
  if (fields.has("cloudInit") && previous && snippet !== undefined && previous !== snippet && c.snippets) await removeSnippet(c, g.node, previous, op);
  for (const r of p.resize) {
    await runTask(c.api, { method: "PUT", path: `${guestPath(g)}/resize`, params: { disk: r.disk, size: `${r.size}M` } }, op);
  }
  if (desired.power === "running" && !running && fields.has("power")) await power(c, g, "start", op);
  else if (running && opts.reboot && desired.power !== "stopped" && (await hasPending(c, g, op))) await power(c, g, "reboot", op);
}

/** Refuses to touch a guest whose marker names another stack or address. */
export function checkOwner(g: GuestView, marker: { stack: string; address: string }, what: string): void {
  const m = markerOf(g);
  if (m && (m.stack !== marker.stack || m.address !== marker.address)) {
    throw new ProviderError(`cannot ${what}: VM ${g.vmid} carries the marker of ${m.address} in stack "${m.stack}"; vmsync does not change objects it does not own`, { code: "PROXMOX_NOT_OWNED", retryable: false });
  }
}

/** `ProviderSession.update` for VirtualMachine and VmTemplate. */
export async function updateGuest(c: ProxmoxContext, req: UpdateRequest, op: OperationContext): Promise<ObservedResource> {
  const { node, vmid } = parseGuestId(req.externalId);
  const what = `update proxmox ${req.kind === "VmTemplate" ? "template" : "vm"} ${(req.spec as unknown as VmSpec).name}`;
  return inContext(what, async () => {
    const g = await readGuest(c, node, vmid, op.signal);
    if (!g) throw new ProviderError(`VM ${vmid} no longer exists on node ${node}`, { code: "PROXMOX_NOT_FOUND", retryable: false });
    checkOwner(g, req.marker, what);
    const desired = req.spec as unknown as VmSpec;
    const fields = new Set(req.changes.map((ch) => topField(ch.path)));
    const extra = markerOf(g);
    const marker: MarkerLine = { ...req.marker, ...(desired.clone ? { cloneOf: desired.clone.template, ...(extra?.clone ? { clone: extra.clone } : {}) } : {}), ...(desired.linkedClones ? { linkedClones: true } : {}) };
    await applyToGuest(c, g, desired, fields, marker, op, { reboot: req.changes.some((ch) => ch.effect === "restart") });
    const after = await readGuest(c, node, vmid, op.signal);
    if (!after) throw new ProviderError(`VM ${vmid} disappeared during the update`, { code: "PROXMOX_NOT_FOUND", retryable: true });
    return observedGuest(after);
  });
}
