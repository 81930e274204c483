import type { DesiredProvider, DesiredResource, ResourceKind } from "../../manifest/model.js";
import type { CanonicalSpec, FieldChange, Provider } from "../contract.js";
import { canonicalShare } from "./canonical-share.js";
import { asSpec, canonicalVm, type VmCanonical } from "./canonical-vm.js";
import { azureBilling, azureDemand, snapshotBilling } from "./billing.js";
import { diffAzure } from "./classify.js";
import { azureManifestSpec } from "./generate.js";
import { connectAzure } from "./session.js";

export { TAG, META, markerOf } from "./marker.js";
export type { VmCanonical } from "./canonical-vm.js";
export type { ShareCanonical } from "./canonical-share.js";

/**
 * The Azure provider (Azure Resource Manager through the @azure/arm-* SDKs): VirtualMachines (with
 * their NIC, public IP and OS disk) and NfsShares on premium Azure Files; snapshots of VMs.
 * Canonical specs: see `VmCanonical` and `ShareCanonical`; ownership marker: tags
 * `vmsync-stack`/`vmsync-address` (share metadata `vmsync_stack`/`vmsync_address`).
 */
export const azureProvider: Provider = {
  type: "azure",
  connect: connectAzure,
  canonicalize(resource: DesiredResource, config: DesiredProvider): CanonicalSpec {
    if (resource.kind === "VirtualMachine") return asSpec(canonicalVm(resource, config));
    if (resource.kind === "NfsShare") return asSpec(canonicalShare(resource, config));
    return asSpec(resource.spec);
  },
  diff(kind: ResourceKind, desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[] {
    return diffAzure(kind, desired, observed);
  },
  sensitivePaths(): string[] {
    return [];
  },
  manifestSpec: azureManifestSpec,
  demand: (kind, spec) => azureDemand(kind, spec),
  billing: (kind, spec) => azureBilling(kind, spec),
  snapshotBilling: (kind, spec, count) => (kind === "VirtualMachine" ? snapshotBilling(spec as unknown as VmCanonical, count) : undefined),
};
