import type { DesiredProvider, ResourceKind } from "../../manifest/model.js";
import { truenasVmName } from "../../manifest/names.js";
import { mibToSize } from "../../manifest/units.js";
import type { GeneratedSpec, ObservedResource } from "../contract.js";
import type { CanonVm } from "./vm-spec.js";

/**
 * The manifest spec of a TrueNAS VM (see `Provider.manifestSpec`): VirtualMachines only. The
 * dataset of its zvols is written when it is not vmsync's default; a display password cannot be
 * (its value is a secret: add `password: {env: NAME}` holding it).
 */
export function truenasManifestSpec(kind: ResourceKind, observed: ObservedResource, config: DesiredProvider, name: string): GeneratedSpec | undefined {
  if (kind !== "VirtualMachine") return undefined;
  const o = observed.spec as unknown as CanonVm;
  const notes: string[] = [];
  const pool = config.spec.type === "truenas" ? config.spec.defaults?.pool : undefined;
  if (o.memory === null) notes.push("memory: TrueNAS reports none");
  if (o.power !== "running" && o.power !== "stopped") notes.push(`power: the VM is ${o.power}; a manifest says running or stopped`);
  if (o.display?.password) notes.push("display.password: the VM has a display password; a manifest names where the secret is (password: {env: NAME}), which vmsync cannot know");
  if (o.nics.some((n) => n.bridge === null)) notes.push("networks: a NIC is attached to no bridge; a manifest NIC gets the provider's default bridge");
  const defaultDataset = pool ? `${pool}/vmsync/${truenasVmName(name)}` : undefined;
  return {
    notes,
    spec: {
      provider: config.name,
      ...(o.name !== truenasVmName(name) ? { externalName: o.name } : {}),
      ...(o.dataset && o.dataset !== defaultDataset ? { dataset: o.dataset } : {}),
      cpu: { sockets: o.vcpus, cores: o.cores, threads: o.threads },
      ...(o.memory !== null ? { memory: mibToSize(o.memory) } : {}),
      ...(o.disks.length ? { disks: o.disks.map((d) => ({ name: d.name, size: mibToSize(d.size), bus: d.bus === "AHCI" ? "ahci" : "virtio" })) } : {}),
      networks: o.nics.map((n) => ({ ...(n.bridge ? { bridge: n.bridge } : {}), model: n.model.toLowerCase(), ...(n.mac ? { mac: n.mac } : {}) })),
      ...(o.iso ? { iso: o.iso } : {}),
      ...(o.display ? { display: { type: o.display.type.toLowerCase(), bind: o.display.bind, ...(typeof o.display.port === "number" ? { port: o.display.port } : {}) } } : {}),
      ...(o.bootloader !== "UEFI" ? { bootloader: o.bootloader } : {}),
      ...(o.autostart ? {} : { autostart: false }),
      ...(o.description ? { description: o.description } : {}),
      ...(o.power === "stopped" ? { power: "stopped" } : {}),
    },
  };
}
