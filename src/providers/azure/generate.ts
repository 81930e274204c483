import type { DesiredProvider, ResourceKind } from "../../manifest/model.js";
import type { AzureProviderSpec } from "../../manifest/schema/index.js";
import type { GeneratedSpec, ObservedResource } from "../contract.js";
import { DEFAULT_VNET, vnetGroupOf, type VmCanonical } from "./canonical-vm.js";

/**
 * The manifest spec of an Azure VM (see `Provider.manifestSpec`): VirtualMachines only. The subnet
 * is written by name when it is in the provider's VNet, else as its full resource id. Custom data
 * cannot be read back from Azure, and the computer name is the VM name in a manifest: both are
 * named in the notes when they differ.
 */
export function azureManifestSpec(kind: ResourceKind, observed: ObservedResource, config: DesiredProvider, name: string): GeneratedSpec | undefined {
  if (kind !== "VirtualMachine") return undefined;
  const o = observed.spec as unknown as VmCanonical;
  const notes: string[] = [];
  const defaults = (config.spec as AzureProviderSpec).defaults ?? {};
  const vmName = observed.name;
  if (o.computerName !== vmName) notes.push(`computerName: the guest's computer name is "${o.computerName}"; a manifest's VM has its VM name ("${vmName}")`);
  if (o.cloudInitHash !== "none") notes.push("cloudInit: the VM was created with custom data, which Azure never returns");
  if (o.power === "unknown") notes.push("power: Azure reports no power state");
  const sub = /^\/subscriptions\/([^/]+)\//i.exec(observed.externalId)?.[1] ?? "";
  const inProviderVnet = o.network.vnetGroup.toLowerCase() === vnetGroupOf(config, o.resourceGroup).toLowerCase() && o.network.vnet.toLowerCase() === (defaults.vnet ?? DEFAULT_VNET).toLowerCase();
  const subnet = inProviderVnet ? o.network.subnet : `/subscriptions/${sub}/resourceGroups/${o.network.vnetGroup}/providers/Microsoft.Network/virtualNetworks/${o.network.vnet}/subnets/${o.network.subnet}`;
  return {
    notes,
    spec: {
      provider: config.name,
      ...(vmName !== name ? { externalName: vmName } : {}),
      resourceGroup: o.resourceGroup,
      location: o.location,
      size: o.size,
      image: { ...o.image },
      cloudInit: { user: o.adminUser, sshKeys: o.sshKeys },
      ...(o.osDisk.sizeGB !== undefined ? { disks: [{ size: `${o.osDisk.sizeGB}GiB`, ...(o.osDisk.type ? { type: o.osDisk.type } : {}) }] } : {}),
      networks: [{ subnet, ...(o.network.publicIp ? { publicIp: true } : {}) }],
      ...(Object.keys(o.tags).length ? { tags: o.tags } : {}),
      ...(o.power !== "running" && o.power !== "unknown" ? { power: o.power } : {}),
    },
  };
}
