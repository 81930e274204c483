import { ProviderError, type OperationContext } from "../contract.js";
import type { ProxmoxContext } from "./context.js";
import { ProxmoxTaskError } from "./errors.js";
import { findTemplate, guestPath, markerOf } from "./guests.js";
import { composeDescription, type MarkerLine } from "./marker.js";
import type { VmSpec } from "./spec-types.js";
import { runTask } from "./tasks.js";
import { isIdTaken, ownsId, tracked, type GuestRef } from "./id-taken.js";

/**
 * Clones a new guest from the template VM of `VmTemplate/<spec.clone.template>` (found by this
 * stack's marker, else by name). Full or linked as the template's marker says (`linked-clones=1`,
 * from the VmTemplate's `proxmox.linkedClones`). Clones of one template run one at a time in this
 * session — parallel clones of a template hit `can't lock file … got timeout` on real clusters — and a
 * clone whose task fails on a lock is tried again. The clone request already carries the new guest's
 * name and marker line, so an interrupted clone is adopted by the next attempt. The caller converges
 * the rest of the config afterwards.
 */
export async function cloneFromTemplate(c: ProxmoxContext, spec: VmSpec, marker: MarkerLine, op: OperationContext): Promise<GuestRef> {
  const name = spec.clone!.template;
  const tpl = await findTemplate(c, name, op);
  if (!tpl) {
    throw new ProviderError(`template VM of VmTemplate/${name} not found on provider ${c.providerName} (apply the template first)`, { code: "PROXMOX_TEMPLATE_MISSING", retryable: false });
  }
  const linked = markerOf(tpl)?.linkedClones === true;
  const full: MarkerLine = { ...marker, cloneOf: name, clone: linked ? "linked" : "full" };
  const bootStorage = spec.disks.find((d) => d.slot === spec.bootDisk)?.storage;
  // A full clone onto file storage (NFS, directory) keeps the source's raw format unless told
  // otherwise (qemu-server resolve_dst_disk_format), and raw files cannot be snapshotted: ask for qcow2.
  const fileStorage = !linked && bootStorage ? await isFileStorage(c, bootStorage, op) : false;
  return c.cloneLocks.run(`${tpl.node}/${tpl.vmid}`, async () => {
    for (let attempt = 0; ; attempt++) {
      const vmid = spec.vmid ?? (await c.vmids.allocate(op.signal));
      try {
        await tracked(c, marker.address, { node: spec.node, vmid }, op.signal, () => runTask(
          c.api,
          {
            method: "POST",
            path: `${guestPath(tpl)}/clone`,
            params: {
              newid: vmid, name: spec.name, description: composeDescription(spec.description, full), full: !linked,
              ...(spec.node !== tpl.node ? { target: spec.node } : {}),
              ...(!linked && bootStorage ? { storage: bootStorage } : {}),
              ...(fileStorage ? { format: "qcow2" } : {}),
            },
          },
          op,
          0,
        ));
        return { node: spec.node, vmid };
      } catch (err) {
        const taken = isIdTaken(err);
        if (taken && (await ownsId(c, spec.node, vmid, full, op))) return { node: spec.node, vmid };
        const lock = err instanceof ProxmoxTaskError && err.retryable;
        if (!(attempt < 8 && ((taken && spec.vmid === undefined) || lock))) throw err;
        if (lock) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
      } finally {
        if (spec.vmid === undefined) c.vmids.release(vmid);
      }
    }
  });
}

/** Storage types whose images are files (and so take a format). */
const FILE_STORAGE_TYPES = new Set(["dir", "nfs", "cifs", "glusterfs", "cephfs"]);

async function isFileStorage(c: ProxmoxContext, storage: string, op: OperationContext): Promise<boolean> {
  const cfg = await c.api.get<{ type?: string }>(`/storage/${encodeURIComponent(storage)}`, undefined, { signal: op.signal });
  return FILE_STORAGE_TYPES.has(String(cfg.type ?? ""));
}
