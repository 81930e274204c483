import type { VmModel } from "./canonical-vm.js";

/**
 * The api-versions @azure/arm-compute's client sends for virtual machines and for disks (constants
 * inside the package, so they move with the pinned version; test/integration/azure/raw-list.test.ts
 * checks they agree).
 */
export const COMPUTE_API_VERSION = { virtualMachines: "2026-03-01", disks: "2025-01-02" } as const;

/** A VM as observe reads it from a list: the model fields plus the instance view's statuses. */
export interface VmView extends VmModel {
  instanceView?: { statuses?: Array<{ code?: string }> };
}

/** A VM as ARM sends it in a list: the VmView fields, but below `properties`. */
export interface WireVm {
  id?: string;
  name?: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: Omit<VmView, "id" | "name" | "location" | "tags" | "networkProfile"> & {
    // a NIC reference keeps `primary` below its own `properties`
    networkProfile?: { networkInterfaces?: Array<{ id?: string; properties?: { primary?: boolean } }> };
  };
}

/** The fields of a managed disk observe reads. */
export interface DiskView {
  id?: string;
  diskSizeGB?: number;
  sku?: { name?: string };
}

/** A managed disk as ARM sends it. */
export interface WireDisk {
  id?: string;
  sku?: { name?: string };
  properties?: { diskSizeGB?: number };
}

/** The VmView of a wire VM (the SDK flattens the `properties` of the VM and of its NIC references the same way). */
export function vmFromWire(w: WireVm): VmView {
  const p = w.properties ?? {};
  const nics = p.networkProfile?.networkInterfaces;
  return {
    ...(w.id !== undefined ? { id: w.id } : {}),
    ...(w.name !== undefined ? { name: w.name } : {}),
    ...(w.location !== undefined ? { location: w.location } : {}),
    ...(w.tags !== undefined ? { tags: w.tags } : {}),
    ...(p.hardwareProfile !== undefined ? { hardwareProfile: p.hardwareProfile } : {}),
    ...(p.storageProfile !== undefined ? { storageProfile: p.storageProfile } : {}),
    ...(p.osProfile !== undefined ? { osProfile: p.osProfile } : {}),
    ...(p.networkProfile !== undefined ? {
      networkProfile: nics === undefined ? {} : {
        networkInterfaces: nics.map((n) => ({ ...(n.id !== undefined ? { id: n.id } : {}), ...(n.properties?.primary !== undefined ? { primary: n.properties.primary } : {}) })),
      },
    } : {}),
    ...(p.instanceView !== undefined ? { instanceView: p.instanceView } : {}),
  };
}

/** The DiskView of a wire disk. */
export function diskFromWire(w: WireDisk): DiskView {
  return {
    ...(w.id !== undefined ? { id: w.id } : {}),
    ...(w.properties?.diskSizeGB !== undefined ? { diskSizeGB: w.properties.diskSizeGB } : {}),
    ...(w.sku !== undefined ? { sku: w.sku } : {}),
  };
}
