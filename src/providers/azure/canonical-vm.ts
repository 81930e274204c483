import type { DesiredProvider, DesiredResource } from "../../manifest/model.js";
import type { AzureProviderSpec, VirtualMachineSpec } from "../../manifest/schema/index.js";
import { sizeToMiB } from "../../manifest/units.js";
import type { CanonicalSpec } from "../contract.js";
import { cloudInitHash, isEmptyCloudInit, type CloudInitInputs } from "./cloud-init.js";
import { groupOf, subnetNames } from "./ids.js";
import { manifestTagsOf, TAG } from "./marker.js";
import type { NicView, PublicIpView } from "./nic-view.js";
import { jsonCopy } from "../json-copy.js";

/** Default names when neither the VM nor the provider names them. */
export const DEFAULT_VNET = "vmsync-vnet";
export const DEFAULT_SUBNET = "default";

/** Power states vmsync manages; `unknown` only appears on observed VMs whose state Azure did not report. */
export type AzurePower = "running" | "stopped" | "deallocated";

/**
 * The canonical VirtualMachine spec on Azure (desired and observed alike):
 * `{resourceGroup, location, size, image{publisher,offer,sku,version}, computerName, adminUser,
 * sshKeys[] (sorted), cloudInitHash ("none" without custom data), osDisk{sizeGB?, type?},
 * network{vnetGroup, vnet, subnet, publicIp}, tags{key: value} (the keys vmsync manages), power}` plus the write-only
 * `_cloudInit` (packages, startup script, mounts by share name) that create needs and Azure never
 * returns. Only the first disk (the OS disk) and the first network are managed. CPU and memory are
 * informational on Azure: the size decides them.
 */
export interface VmCanonical {
  resourceGroup: string;
  location: string;
  size: string;
  image: { publisher: string; offer: string; sku: string; version: string };
  computerName: string;
  adminUser: string;
  sshKeys: string[];
  cloudInitHash: string;
  osDisk: { sizeGB?: number; type?: string };
  network: { vnetGroup: string; vnet: string; subnet: string; publicIp: boolean };
  tags: Record<string, string>;
  power: AzurePower | "unknown";
  _cloudInit?: CloudInitInputs;
}

/** The resource group the provider's VNet lives in: `defaults.resourceGroup`, else the resource's own. */
export function vnetGroupOf(config: DesiredProvider, resourceGroup: string): string {
  return (config.spec as AzureProviderSpec).defaults?.resourceGroup ?? resourceGroup;
}

/** The canonical desired spec of a VirtualMachine (pure). */
export function canonicalVm(r: DesiredResource, config: DesiredProvider): VmCanonical {
  const spec = r.spec as VirtualMachineSpec;
  const defaults = (config.spec as AzureProviderSpec).defaults ?? {};
  const name = r.externalName ?? r.name;
  const rg = spec.resourceGroup ?? defaults.resourceGroup ?? "";
  const net = spec.networks?.[0];
  const subnetRef = net?.subnet ?? defaults.subnet ?? DEFAULT_SUBNET;
  const fromId = subnetNames(subnetRef);
  const disk = spec.disks?.[0];
  const inputs: CloudInitInputs = {
    packages: [...(spec.cloudInit?.packages ?? [])],
    ...(spec.cloudInit?.startupScript ? { startupScript: spec.cloudInit.startupScript } : {}),
    mounts: (spec.mounts ?? []).map((m) => ({ share: m.share, path: m.path, options: m.options ?? "vers=4.1,hard" })),
  };
  const img = spec.image;
  return {
    resourceGroup: rg,
    location: (spec.location ?? defaults.location ?? "").toLowerCase(),
    size: spec.size ?? "",
    image: { publisher: img?.publisher ?? "", offer: img?.offer ?? "", sku: img?.sku ?? "", version: img?.version ?? "latest" },
    computerName: name,
    adminUser: spec.cloudInit?.user ?? "",
    sshKeys: [...(spec.cloudInit?.sshKeys ?? [])].map((k) => k.trim()).sort(),
    cloudInitHash: isEmptyCloudInit(inputs) ? "none" : cloudInitHash(inputs),
    osDisk: {
      ...(disk ? { sizeGB: Math.ceil((sizeToMiB(disk.size) ?? 0) / 1024) } : {}),
      ...(disk?.type ? { type: disk.type } : {}),
    },
    network: fromId
      ? { vnetGroup: fromId.resourceGroup, vnet: fromId.vnet, subnet: fromId.subnet, publicIp: net?.publicIp ?? false }
      : { vnetGroup: vnetGroupOf(config, rg), vnet: defaults.vnet ?? DEFAULT_VNET, subnet: subnetRef, publicIp: net?.publicIp ?? false },
    tags: Array.isArray(spec.tags) ? {} : Object.fromEntries(Object.entries(spec.tags ?? {}).sort(([a], [b]) => a.localeCompare(b))), // a list is a validation error on Azure
    power: spec.power ?? "running",
    _cloudInit: inputs,
  };
}

/** The VM's power state from an instance view's `PowerState/…` status. */
export function powerOf(statuses: Array<{ code?: string }> | undefined): AzurePower | "unknown" {
  const code = statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code?.slice("PowerState/".length);
  if (code === "running" || code === "starting") return "running";
  if (code === "stopped" || code === "stopping") return "stopped";
  if (code === "deallocated" || code === "deallocating") return "deallocated";
  return "unknown";
}

/** The VM model fields `observedVm` reads (the compute SDK's VirtualMachine has them all). */
export interface VmModel {
  id?: string;
  name?: string;
  location?: string;
  tags?: Record<string, string>;
  hardwareProfile?: { vmSize?: string };
  storageProfile?: { imageReference?: { publisher?: string; offer?: string; sku?: string; version?: string }; osDisk?: { diskSizeGB?: number; managedDisk?: { id?: string; storageAccountType?: string } } };
  osProfile?: { computerName?: string; adminUsername?: string; linuxConfiguration?: { ssh?: { publicKeys?: Array<{ keyData?: string }> } } };
  networkProfile?: { networkInterfaces?: Array<{ id?: string; primary?: boolean }> };
}

/** What observe joins to a VM: its primary NIC, that NIC's public IP, its OS disk, its power state. */
export interface VmParts {
  nic?: NicView;
  publicIp?: PublicIpView;
  osDisk?: { diskSizeGB?: number; sku?: { name?: string } };
  power: AzurePower | "unknown";
}

/** The canonical observed spec of a VM model joined with its parts. */
export function observedVm(vm: VmModel, parts: VmParts): VmCanonical {
  const img = vm.storageProfile?.imageReference ?? {};
  const os = vm.storageProfile?.osDisk;
  const ipc = parts.nic?.ipConfigurations?.[0];
  const sn = subnetNames(ipc?.subnet?.id);
  const disk = parts.osDisk as { diskSizeGB?: number; sku?: { name?: string } } | undefined;
  const sizeGB = disk?.diskSizeGB ?? os?.diskSizeGB;
  const type = disk?.sku?.name ?? os?.managedDisk?.storageAccountType;
  return {
    resourceGroup: groupOf(vm.id ?? "") ?? "",
    location: (vm.location ?? "").replace(/\s+/g, "").toLowerCase(),
    size: vm.hardwareProfile?.vmSize ?? "",
    image: { publisher: img.publisher ?? "", offer: img.offer ?? "", sku: img.sku ?? "", version: img.version ?? "" },
    computerName: vm.osProfile?.computerName ?? "",
    adminUser: vm.osProfile?.adminUsername ?? "",
    sshKeys: (vm.osProfile?.linuxConfiguration?.ssh?.publicKeys ?? []).map((k) => (k.keyData ?? "").trim()).sort(),
    cloudInitHash: vm.tags?.[TAG.cloudInit] ?? "none",
    osDisk: { ...(sizeGB !== undefined ? { sizeGB } : {}), ...(type !== undefined ? { type } : {}) },
    network: { vnetGroup: sn?.resourceGroup ?? "", vnet: sn?.vnet ?? "", subnet: sn?.subnet ?? "", publicIp: ipc?.publicIPAddress?.id !== undefined },
    tags: manifestTagsOf(vm.tags),
    power: parts.power,
  };
}

/** The spec as a plain `CanonicalSpec` (drops undefined keys, so specs compare and store cleanly). */
export function asSpec(v: object): CanonicalSpec {
  return jsonCopy(v) as CanonicalSpec;
}

