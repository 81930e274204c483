import { ProviderError, type OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { ProxmoxApiError } from "./errors.js";
import { isIdTaken, ownsId, tracked, type GuestRef } from "./id-taken.js";
import { composeDescription, type MarkerLine } from "./marker.js";
import { ctPath, findCtTemplate, readContainer } from "./lxc-guests.js";
import type { CtSpec } from "./lxc-spec.js";
import { runTask } from "./tasks.js";

/**
 * Clones a new container from the container template `spec.clone.template` (this stack's
 * `Container/<name>`, else a template with that host name). pve-container puts `lock: disk` on the
 * source for the whole clone, so a second clone of the same template fails at once with
 * `CT is locked (disk)`: clones of one template run one at a time in this session, and a clone
 * that still meets the lock (another client) is tried again. The request carries the new
 * container's host name and marker line, so an interrupted clone is adopted by the next attempt.
 * Full copies go to the rootfs storage; linked clones stay on the template's. The caller converges
 * the rest of the config afterwards.
 */
export async function cloneContainer(c: ProxmoxContext, spec: CtSpec, marker: MarkerLine, op: OperationContext): Promise<GuestRef> {
  const name = spec.clone!.template;
  const tpl = await findCtTemplate(c, name, op);
  if (!tpl) {
    throw new ProviderError(`container template "${name}" not found on provider ${c.providerName} (apply Container/${name} first, or create the template)`, { code: "PROXMOX_TEMPLATE_MISSING", retryable: false });
  }
  const linked = spec.clone!.linked;
  return c.cloneLocks.run(`lxc:${tpl.node}/${tpl.vmid}`, async () => {
    for (let attempt = 0; ; attempt++) {
      const vmid = spec.vmid ?? (await c.vmids.allocate(op.signal));
      try {
        const params = {
          newid: vmid, hostname: spec.hostname, description: composeDescription(spec.description, marker), full: !linked,
          ...(spec.node !== tpl.node ? { target: spec.node } : {}),
          ...(!linked ? { storage: spec.rootfs.storage } : {}),
        };
        await tracked(c, marker.address, { node: spec.node, vmid }, op.signal, () => runTask(c.api, { method: "POST", path: `${ctPath(tpl)}/clone`, params }, op, 0));
        return { node: spec.node, vmid };
      } catch (err) {
        const taken = isIdTaken(err);
        if (taken && (await ownsId(c, spec.node, vmid, marker, op, readContainer))) return { node: spec.node, vmid };
        const locked = err instanceof ProxmoxApiError && err.retryable;
        if (!(attempt < 8 && ((taken && spec.vmid === undefined) || locked))) throw err;
        if (locked) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      } finally {
        if (spec.vmid === undefined) c.vmids.release(vmid);
      }
    }
  });
}
