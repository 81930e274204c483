import { ArmError, invalidParameter } from "./errors.js";

/** One VM size as `virtualMachines.listAvailableSizes` returns it, plus its hardware cluster. */
export interface VmSize {
  name: string;
  numberOfCores: number;
  memoryInMB: number;
  resourceDiskSizeInMB: number;
  maxDataDiskCount: number;
  osDiskSizeInMB: number;
  cluster: string;
}

const OS_DISK_MB = 1047552;

function size(name: string, cores: number, memGB: number, cluster: string, tempGB: number, disks: number): VmSize {
  return { name, numberOfCores: cores, memoryInMB: memGB * 1024, resourceDiskSizeInMB: tempGB * 1024, maxDataDiskCount: disks, osDiskSizeInMB: OS_DISK_MB, cluster };
}

/**
 * The simulated size catalogue. The **hardware-cluster rule** the simulator applies: every size
 * belongs to one cluster named after its series (B-series, Dsv5, Dasv5 (AMD), Ddsv5, Esv5, Fsv2).
 * While a VM is allocated (running or stopped, not deallocated) it can only be resized to a size of
 * its current cluster; any other size is refused with 409 `OperationNotAllowed` (target `vmSize`),
 * as Azure does when the size is not on the current hardware — deallocate first, then resize.
 * A deallocated VM can take any size in the catalogue. An unknown size is 400 `InvalidParameter`.
 */
export const VM_SIZES: readonly VmSize[] = [
  size("Standard_B1s", 1, 1, "B", 4, 2),
  size("Standard_B1ms", 1, 2, "B", 4, 2),
  size("Standard_B2s", 2, 4, "B", 8, 4),
  size("Standard_B2ms", 2, 8, "B", 16, 4),
  size("Standard_B4ms", 4, 16, "B", 32, 8),
  size("Standard_D2s_v5", 2, 8, "Dsv5", 0, 4),
  size("Standard_D4s_v5", 4, 16, "Dsv5", 0, 8),
  size("Standard_D8s_v5", 8, 32, "Dsv5", 0, 16),
  size("Standard_D2as_v5", 2, 8, "Dasv5", 0, 4),
  size("Standard_D4as_v5", 4, 16, "Dasv5", 0, 8),
  size("Standard_D2ds_v5", 2, 8, "Ddsv5", 75, 4),
  size("Standard_D4ds_v5", 4, 16, "Ddsv5", 150, 8),
  size("Standard_E2s_v5", 2, 16, "Esv5", 0, 4),
  size("Standard_E4s_v5", 4, 32, "Esv5", 0, 8),
  size("Standard_F2s_v2", 2, 4, "Fsv2", 16, 4),
  size("Standard_F4s_v2", 4, 8, "Fsv2", 32, 8),
];

/** A size by name (case-insensitive). */
export function findSize(name: string): VmSize | undefined {
  const n = name.toLowerCase();
  return VM_SIZES.find((s) => s.name.toLowerCase() === n);
}

/** The size or 400 `InvalidParameter` naming `vmSize`. */
export function requireSize(name: unknown, location: string): VmSize {
  const s = typeof name === "string" ? findSize(name) : undefined;
  if (!s) throw invalidParameter(`The requested VM size ${String(name)} is not available in the current region (${location}). Please select a different size.`, "vmSize");
  return s;
}

/** The sizes a VM could be resized to now: its cluster's while allocated, all when deallocated. */
export function availableSizes(current: string, deallocated: boolean): VmSize[] {
  if (deallocated) return [...VM_SIZES];
  const cluster = findSize(current)?.cluster;
  return VM_SIZES.filter((s) => s.cluster === cluster);
}

/** Applies the hardware-cluster rule to a resize; throws 409 `OperationNotAllowed` when refused. */
export function checkResize(vmName: string, from: string, to: string, deallocated: boolean, location: string): void {
  const target = requireSize(to, location);
  if (deallocated || from.toLowerCase() === to.toLowerCase()) return;
  const here = availableSizes(from, false);
  if (here.some((s) => s.name === target.name)) return;
  throw new ArmError(
    409,
    "OperationNotAllowed",
    `Unable to resize the VM '${vmName}' because the requested size ${target.name} is not available in the current hardware cluster. The available sizes in this cluster are: ${here.map((s) => s.name).join(", ")}. Read more on VM resizing strategy at https://aka.ms/azure-resizevm.`,
    { target: "vmSize" },
  );
}
