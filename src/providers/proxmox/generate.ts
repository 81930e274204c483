import type { ResourceKind } from "../../manifest/model.js";
import { mibToSize } from "../../manifest/units.js";
import type { DesiredProvider } from "../../manifest/model.js";
import type { GeneratedSpec, ObservedResource } from "../contract.js";
import { compareSlots, type DiskSpec, type VmSpec } from "./spec-types.js";

const slotOf = (slot: string) => /^([a-z]+)(\d+)$/.exec(slot) ?? ["", slot, "0"];

/**
 * The manifest disks of a guest, in the order whose per-bus numbering gives back its slots: the boot
 * disk first (a manifest's first disk is the boot disk), then the rest by slot. Slots a manifest
 * cannot number that way (a gap, a boot disk that is not the first of its bus) are named in `notes`.
 */
function disksOf(o: VmSpec, notes: string[]): Array<Record<string, unknown>> {
  const sorted = [...o.disks].sort((a, b) => compareSlots(a.slot, b.slot));
  const boot = sorted.find((d) => d.slot === o.bootDisk);
  const ordered: DiskSpec[] = boot ? [boot, ...sorted.filter((d) => d !== boot)] : sorted;
  const next: Record<string, number> = {};
  for (const d of ordered) {
    const [, bus, index] = slotOf(d.slot);
    if (Number(index) !== (next[bus!] ?? 0)) notes.push(`disk ${d.slot}: a manifest numbers the disks of each bus from 0 in order (the first disk boots), so this slot layout cannot be written`);
    next[bus!] = (next[bus!] ?? 0) + 1;
  }
  if (o.bootDisk === null && o.disks.length) notes.push("bootDisk: the guest boots from no disk; a manifest boots from its first disk");
  return ordered.map((d) => {
    const bus = slotOf(d.slot)[1]!;
    return { size: mibToSize(d.size), storage: d.storage, ...(bus !== "scsi" ? { bus } : {}) };
  });
}

/** The manifest spec of a Proxmox guest (see `Provider.manifestSpec`): VirtualMachines only. */
export function proxmoxManifestSpec(kind: ResourceKind, observed: ObservedResource, config: DesiredProvider, name: string): GeneratedSpec | undefined {
  if (kind !== "VirtualMachine") return undefined;
  const o = observed.spec as unknown as VmSpec;
  const notes: string[] = [];
  const cpu = { cores: o.cpu.cores, ...(o.cpu.sockets !== 1 ? { sockets: o.cpu.sockets } : {}), ...(o.cpu.type ? { type: o.cpu.type } : {}) };
  const ci = o.cloudInit;
  if (o.clone) notes.push(`clone: the guest was cloned from ${o.clone.template}, which only a VmTemplate manifest with a proxmox section can say`);
  return {
    notes,
    spec: {
      provider: config.name,
      ...(o.name !== name ? { externalName: o.name } : {}),
      node: o.node,
      ...(o.vmid !== undefined ? { vmid: o.vmid } : {}),
      cpu,
      memory: mibToSize(o.memory),
      ...(o.disks.length ? { disks: disksOf(o, notes) } : {}),
      networks: o.networks.map((n) => ({ ...(n.model !== "virtio" ? { model: n.model } : {}), bridge: n.bridge, ...(n.vlan !== null ? { vlan: n.vlan } : {}), ...(n.mac ? { mac: n.mac } : {}) })),
      // a cloud-init drive without user or keys: an empty package list says "cloud-init, nothing set"
      ...(ci ? { cloudInit: ci.user === null && !ci.sshKeys.length ? { packages: [] } : { ...(ci.user !== null ? { user: ci.user } : {}), ...(ci.sshKeys.length ? { sshKeys: ci.sshKeys } : {}) } } : {}),
      ...(o.iso ? { iso: o.iso } : {}),
      ...(o.tags.length ? { tags: o.tags } : {}),
      ...(o.description ? { description: o.description } : {}),
      ...(o.autostart ? { autostart: true } : {}),
      ...(o.power === "stopped" ? { power: "stopped" } : {}),
    },
  };
}
