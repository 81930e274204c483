import type { ResourceKind } from "../../manifest/model.js";
import type { CanonicalSpec, ChangeEffect, FieldChange } from "../contract.js";
import { diffSpecs, rulePath } from "../diff-util.js";
import type { DiskSpec } from "./spec-types.js";

type Verdict = { effect: ChangeEffect; note?: string };

const RESTART_NOTE = "Proxmox applies this to a running VM at its next restart; vmsync reboots the VM after the update";

/**
 * Field classification (effects) of the Proxmox provider:
 * - VirtualMachine: `node`, `vmid`, a disk's `slot`/`storage` → replace; disk shrink → unsupported;
 *   disk grow → in-place (resize); added disks → in-place (sata: restart when running); removed
 *   disks → unsupported (vmsync never drops a disk); `cpu.*`, `memory`, `iso`, `bootDisk` → restart
 *   when the VM runs (in-place when stopped); everything else (name, NICs, cloud-init, tags,
 *   description, autostart, power, clone) → in-place.
 * - VmTemplate: `node`, `vmid`, any disk change → replace (template disks are base volumes);
 *   everything else in-place (templates never run).
 * - NfsShare (NFS storage): `storage`, `server`, `export` → replace (fixed in PVE); rest in-place.
 */
export function diffCanonical(kind: ResourceKind, desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[] {
  const running = observed.power === "running";
  return diffSpecs(desired, observed, (path, before, after) => classify(kind, path, before, after, running));
}

function classify(kind: ResourceKind, path: string, before: unknown, after: unknown, running: boolean): Verdict {
  const rule = rulePath(path);
  if (kind === "NfsShare") {
    return ["storage", "server", "export"].includes(rule)
      ? { effect: "replace", note: `Proxmox cannot change a storage's ${rule} (a fixed parameter)` }
      : { effect: "in-place" };
  }
  if (rule === "node") return { effect: "replace", note: "moving a VM to another node needs a migration, which vmsync does not do" };
  if (rule === "vmid") return { effect: "replace", note: "a VMID cannot change" };
  if (kind === "VmTemplate" && (rule === "disks" || rule.startsWith("disks."))) return { effect: "replace", note: "the disks of a template VM are base volumes that clones use" };
  if (rule === "disks.slot" || rule === "disks.storage") return { effect: "replace", note: "moving a disk to another bus or storage is not done in place" };
  if (rule === "disks.size") {
    return Number(after) < Number(before)
      ? { effect: "unsupported", note: "Proxmox cannot shrink a disk" }
      : { effect: "in-place", note: "grown with resize" };
  }
  if (rule === "disks") return diskListChange(before as DiskSpec[] | undefined, after as DiskSpec[], running);
  if (rule === "agent") return running ? { effect: "restart", note: "the guest agent's device is added when the VM starts; vmsync reboots the VM after the update" } : { effect: "in-place" };
  if (rule.startsWith("cpu") || rule === "memory" || rule === "iso" || rule === "bootDisk") {
    return running ? { effect: "restart", note: RESTART_NOTE } : { effect: "in-place" };
  }
  if (rule.startsWith("cloudInit")) return { effect: "in-place", note: "cloud-init settings take effect when the guest next runs cloud-init" };
  if (rule.startsWith("clone")) return { effect: "in-place", note: "only used when the VM is created; vmsync just records it" };
  return { effect: "in-place" };
}

/** A changed disk list: disks added at new slots (others unchanged) can be added; anything else cannot. */
function diskListChange(before: DiskSpec[] | undefined, after: DiskSpec[], running: boolean): Verdict {
  const old = new Map((before ?? []).map((d) => [d.slot, d]));
  const wanted = new Map(after.map((d) => [d.slot, d]));
  for (const d of old.values()) {
    const w = wanted.get(d.slot);
    if (!w) return { effect: "unsupported", note: `vmsync does not remove disks (${d.slot}); detach it in Proxmox if you mean it` };
    if (w.storage !== d.storage) return { effect: "replace", note: `disk ${d.slot} would move to another storage` };
    if (w.size < d.size) return { effect: "unsupported", note: `Proxmox cannot shrink a disk (${d.slot})` };
  }
  const added = after.filter((d) => !old.has(d.slot));
  if (running && added.some((d) => d.slot.startsWith("sata"))) return { effect: "restart", note: "SATA disks are added at the next restart" };
  return { effect: "in-place", note: added.length ? `adds ${added.map((d) => d.slot).join(", ")}` : "grows disks" };
}
