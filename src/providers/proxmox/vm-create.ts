import { ProviderError, type CreateRequest, type ObservedResource, type OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { inContext, ProxmoxApiError, ProxmoxTaskError } from "./errors.js";
import { findOwned, guestPath, markerOf, readGuest } from "./guests.js";
import type { MarkerLine } from "./marker.js";
import { normaliseGuest, observedGuest, type GuestView } from "./normalise.js";
import type { VmSpec } from "./spec-types.js";
import { runTask } from "./tasks.js";
import { createParams, topField } from "./vm-config.js";
import { cloneFromTemplate } from "./vm-clone.js";
import { isIdTaken, ownsId, resumeAbandoned, tracked, type GuestRef } from "./id-taken.js";
import { diffCanonical } from "./diff.js";
import { applyToGuest } from "./vm-update.js";
import { uploadSnippet } from "./snippets.js";

/**
 * `ProviderSession.create` for VirtualMachine and VmTemplate. Safe to retry: the guest carries its
 * marker (tag + description line) from the first request, so a guest left by an interrupted or
 * retried create is found and finished instead of duplicated (a `fresh` create skips that search,
 * which lists every guest of the cluster). Steps: adopt-or-create (from scratch,
 * or a clone when `clone` names a template VM), converge the config to the desired spec, convert to a
 * template (VmTemplate), start (power: running), and observe.
 */
export async function createGuest(c: ProxmoxContext, req: CreateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as VmSpec;
  const template = req.kind === "VmTemplate";
  return inContext(`create proxmox ${template ? "template" : "vm"} ${req.name}`, async () => {
    const marker: MarkerLine = { ...req.marker, ...(template && spec.linkedClones ? { linkedClones: true } : {}) };
    let g = (await resumeAbandoned(c, req.address, marker, op)) ?? (req.fresh ? undefined : await findOwned(c, req.address, req.name, op));
    // the user-data snippet must be on the node before any config names it (cicustom)
    if (spec.cloudInit?.snippet && spec.cloudInit._userData) await uploadSnippet(c, g?.node ?? spec.node, { volid: spec.cloudInit.snippet, content: spec.cloudInit._userData }, op);
    if (!g) {
      const ref = spec.clone ? await cloneFromTemplate(c, spec, marker, op) : await createFresh(c, spec, marker, op);
      g = await mustRead(c, ref, op, false); // a new guest is stopped until vmsync starts it
    }
    const observed = normaliseGuest(g).spec as unknown as Record<string, unknown>;
    const fields = new Set(diffCanonical(req.kind, { ...(req.spec as Record<string, unknown>), power: g.running ? "running" : "stopped" }, observed).filter((ch) => ch.effect !== "replace" && ch.effect !== "unsupported").map((ch) => topField(ch.path)));
    const full: MarkerLine = { ...marker, ...(markerOf(g)?.cloneOf ? { cloneOf: markerOf(g)!.cloneOf!, ...(markerOf(g)?.clone ? { clone: markerOf(g)!.clone! } : {}) } : {}) };
    if (fields.size) await applyToGuest(c, g, spec, fields, full, op, { reboot: false });
    let started = false;
    if (template && Number(g.config.template ?? 0) !== 1) {
      await runTask(c.api, { method: "POST", path: `${guestPath(g)}/template` }, op);
    } else if (!template && spec.power === "running" && !g.running) {
      await applyToGuest(c, { ...g, running: false }, spec, new Set(["power"]), full, op, { reboot: false });
      started = true;
    }
    // a start task that succeeded left it running; otherwise ask PVE
    return observedGuest(await mustRead(c, g, op, started ? true : undefined));
  });
}

/** Reads the guest at `ref` (its power from PVE unless `running` is known); it must exist. */
async function mustRead(c: ProxmoxContext, ref: GuestRef, op: OperationContext, running?: boolean): Promise<GuestView> {
  const g = await readGuest(c, ref.node, ref.vmid, op.signal, running);
  if (!g) throw new ProviderError(`VM ${ref.vmid} is not on node ${ref.node} after its create`, { code: "PROXMOX_NOT_FOUND", retryable: true });
  return g;
}

/** Creates the guest from scratch: `POST /nodes/{node}/qemu` with the whole config; retries with a new VMID when one is taken. */
async function createFresh(c: ProxmoxContext, spec: VmSpec, marker: MarkerLine, op: OperationContext): Promise<GuestRef> {
  for (let attempt = 0; ; attempt++) {
    const vmid = spec.vmid ?? (await c.vmids.allocate(op.signal));
    try {
      await tracked(c, marker.address, { node: spec.node, vmid }, op.signal, () => runTask(c.api, { method: "POST", path: `/nodes/${spec.node}/qemu`, params: createParams(spec, vmid, marker) }, op, 0));
      return { node: spec.node, vmid };
    } catch (err) {
      const taken = isIdTaken(err);
      if (taken) {
        const node = /on node '([^']+)'/.exec(err instanceof ProxmoxApiError ? err.detail : "")?.[1] ?? spec.node;
        if (await ownsId(c, node, vmid, marker, op)) return { node, vmid };
      }
      const retryWithNewId = spec.vmid === undefined && attempt < 8 && (taken || (err instanceof ProxmoxTaskError && err.retryable));
      if (!retryWithNewId) throw err;
    } finally {
      if (spec.vmid === undefined) c.vmids.release(vmid);
    }
  }
}
