import { HOURS_PER_MONTH } from "../../cost/price-table.js";
import type { BillableItem, CanonicalSpec, Demand } from "../contract.js";
import type { ResourceKind } from "../../manifest/model.js";
import type { ShareCanonical } from "./canonical-share.js";
import type { VmCanonical } from "./canonical-vm.js";
import { quotaKey, sizeFamily } from "./vm-families.js";

/** Fixed-size managed-disk tiers (GiB): a disk is billed as the smallest tier that holds it. */
const TIERS: Array<[number, string]> = [[4, "1"], [8, "2"], [16, "3"], [32, "4"], [64, "6"], [128, "10"], [256, "15"], [512, "20"], [1024, "30"], [2048, "40"], [4096, "50"], [8192, "60"], [16384, "70"], [32767, "80"]];
const TIER_LETTER: Record<string, string> = { premium_lrs: "P", standardssd_lrs: "E", standard_lrs: "S" };

/** The billed tier of a managed disk (`P10 LRS`), or undefined for an SKU or size without fixed tiers. */
export function diskTier(sku: string, sizeGB: number): string | undefined {
  const letter = TIER_LETTER[sku.toLowerCase()];
  const tier = TIERS.find(([gb]) => sizeGB <= gb)?.[1];
  if (!letter || !tier) return undefined;
  // Standard HDD has no tiers below S4 (32 GiB): smaller disks are billed as S4
  return `${letter}${letter === "S" && Number(tier) < 4 ? "4" : tier} LRS`;
}

/** The OS of an image, for the VM meter: Windows images come from MicrosoftWindows* publishers. */
function osOf(image: VmCanonical["image"]): "linux" | "windows" {
  return /^MicrosoftWindows/i.test(image.publisher) ? "windows" : "linux";
}

/**
 * What an Azure VM or NFS share is billed each month (retail pay-as-you-go): the VM size for 730 h
 * unless deallocated (a stopped but allocated VM still pays for compute), its OS disk's tier, its
 * Standard static public IP for 730 h; a premium Azure Files share's provisioned GiB. An OS disk
 * whose size or type the manifest leaves to Azure is billed under meter `disk/<region>/?`, which
 * has no price: it shows as unknown.
 */
export function azureBilling(kind: ResourceKind, spec: CanonicalSpec): BillableItem[] {
  if (kind === "VirtualMachine") {
    const vm = spec as unknown as VmCanonical;
    const out: BillableItem[] = [];
    const os = osOf(vm.image);
    if (vm.power !== "deallocated") out.push({ component: "compute", meter: `vm/${vm.location}/${vm.size}/${os}`, quantity: HOURS_PER_MONTH, description: `${vm.size} (${os}) in ${vm.location}, ${HOURS_PER_MONTH} h` });
    const tier = vm.osDisk.type !== undefined && vm.osDisk.sizeGB !== undefined ? diskTier(vm.osDisk.type, vm.osDisk.sizeGB) : undefined;
    const what = vm.osDisk.sizeGB !== undefined ? `${vm.osDisk.sizeGB} GiB` : "size from the image";
    out.push({ component: "os-disk", meter: `disk/${vm.location}/${tier ?? "?"}`, quantity: 1, description: `OS disk ${vm.osDisk.type ?? "type chosen by Azure"}, ${what}${tier ? ` (${tier})` : ""}` });
    if (vm.network.publicIp) out.push({ component: "public-ip", meter: `ip/${vm.location}/standard-static`, quantity: HOURS_PER_MONTH, description: `Standard static public IP, ${HOURS_PER_MONTH} h` });
    return out;
  }
  if (kind === "NfsShare") {
    const share = spec as unknown as ShareCanonical;
    return [{ component: "file-share", meter: `files-premium/${share.location}/LRS`, quantity: share.quotaGiB, description: `Azure Files premium LRS, ${share.quotaGiB} GiB provisioned` }];
  }
  return [];
}

/** Standard HDD LRS snapshots of a VM's OS disk (what vmsync takes): `count` × the disk's size, per GiB used. */
export function snapshotBilling(vm: VmCanonical, count: number): BillableItem {
  return {
    component: "snapshots", meter: `snapshot/${vm.location}/standard-lrs`, quantity: count * (vm.osDisk.sizeGB ?? 0),
    description: `up to ${count} incremental snapshot${count === 1 ? "" : "s"} of ${vm.osDisk.sizeGB ?? "?"} GiB (billed per GiB used; the disk size is the upper bound)`,
  };
}

/**
 * A VM's share of the regional vCPU quota: its size's vCPUs against its family and against the
 * regional total (`cores`). Deallocated VMs count too: Azure computes quota over allocated and
 * deallocated cores alike. A size vmsync does not know demands nothing (not checked).
 */
export function azureDemand(kind: ResourceKind, spec: CanonicalSpec): Demand[] {
  if (kind !== "VirtualMachine") return [];
  const vm = spec as unknown as VmCanonical;
  const f = sizeFamily(vm.size);
  if (!f || !vm.location) return [];
  return [{ pool: quotaKey(vm.location, f.family), amount: f.vcpus }, { pool: quotaKey(vm.location, "cores"), amount: f.vcpus }];
}
