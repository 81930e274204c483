import type { FileShare, StorageAccount } from "@azure/arm-storage";
import type { DesiredProvider, DesiredResource } from "../../manifest/model.js";
import type { AzureProviderSpec, NfsShareSpec } from "../../manifest/schema/index.js";
import { sizeToMiB } from "../../manifest/units.js";
import { DEFAULT_VNET, vnetGroupOf } from "./canonical-vm.js";
import { groupOf, subnetNames } from "./ids.js";

/**
 * The canonical NfsShare spec on Azure Files:
 * `{resourceGroup, location, storageAccount, protocol: "NFS", quotaGiB, rootSquash
 * ("RootSquash"|"NoRootSquash"), account?}`. `account` — `{kind: "FileStorage", sku: "Premium_LRS",
 * httpsOnly: false, defaultAction: "Deny", subnets: ["<group>/<vnet>/<subnet>", …] (sorted)}` — is
 * present only when vmsync creates and manages the account (`azure.createAccount`, the default); a
 * referenced account is never compared or modified. Write-only: `_createAccount`, `_subnetRefs`
 * (the manifest's entries: names in the provider's VNet, or full ids) and `_vnet`.
 */
export interface ShareCanonical {
  resourceGroup: string;
  location: string;
  storageAccount: string;
  protocol: "NFS";
  quotaGiB: number;
  rootSquash: string;
  account?: { kind: string; sku: string; httpsOnly: boolean; defaultAction: string; subnets: string[] };
  _createAccount?: boolean;
  _subnetRefs?: string[];
  _vnet?: { group: string; name: string };
}

/** `group/vnet/subnet` of a subnet reference: a name in the provider's VNet, or a full id. */
export function subnetKey(ref: string, vnetGroup: string, vnet: string): string {
  const fromId = subnetNames(ref);
  return fromId ? `${fromId.resourceGroup}/${fromId.vnet}/${fromId.subnet}` : `${vnetGroup}/${vnet}/${ref}`;
}

/** The canonical desired spec of an NfsShare on Azure (pure). */
export function canonicalShare(r: DesiredResource, config: DesiredProvider): ShareCanonical {
  const spec = r.spec as NfsShareSpec;
  const defaults = (config.spec as AzureProviderSpec).defaults ?? {};
  const az = spec.azure;
  const rg = az?.resourceGroup ?? defaults.resourceGroup ?? "";
  const create = az?.createAccount ?? true;
  const vnet = { group: vnetGroupOf(config, rg), name: defaults.vnet ?? DEFAULT_VNET };
  const refs = az?.subnets ?? [];
  return {
    resourceGroup: rg,
    location: (az?.location ?? defaults.location ?? "").toLowerCase(),
    storageAccount: az?.storageAccount ?? "",
    protocol: "NFS",
    quotaGiB: Math.ceil((sizeToMiB(spec.size) ?? 0) / 1024),
    rootSquash: spec.rootSquash === false ? "NoRootSquash" : "RootSquash",
    ...(create
      ? { account: { kind: "FileStorage", sku: "Premium_LRS", httpsOnly: false, defaultAction: "Deny", subnets: [...new Set(refs.map((s) => subnetKey(s, vnet.group, vnet.name)))].sort() } }
      : {}),
    _createAccount: create,
    _subnetRefs: refs,
    _vnet: vnet,
  };
}

/** The canonical observed spec of a share in its account. */
export function observedShare(account: StorageAccount, share: FileShare): ShareCanonical {
  const rules = account.networkRuleSet;
  return {
    resourceGroup: groupOf(account.id ?? "") ?? "",
    location: (account.location ?? "").replace(/\s+/g, "").toLowerCase(),
    storageAccount: account.name ?? "",
    protocol: (share.enabledProtocols ?? "SMB").toUpperCase() as "NFS",
    quotaGiB: share.shareQuota ?? 0,
    rootSquash: share.rootSquash ?? "NoRootSquash",
    account: {
      kind: account.kind ?? "",
      sku: account.sku?.name ?? "",
      httpsOnly: account.enableHttpsTrafficOnly ?? true,
      defaultAction: rules?.defaultAction ?? "Allow",
      subnets: (rules?.virtualNetworkRules ?? []).map((v) => {
        const sn = subnetNames(v.virtualNetworkResourceId);
        return sn ? `${sn.resourceGroup}/${sn.vnet}/${sn.subnet}` : v.virtualNetworkResourceId;
      }).sort(),
    },
  };
}
