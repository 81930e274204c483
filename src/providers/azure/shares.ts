import type { StorageAccount } from "@azure/arm-storage";
import { ProviderError, type CreateRequest, type DeleteRequest, type ObservedResource, type OperationContext, type UpdateRequest } from "../contract.js";
import { rulePath } from "../diff-util.js";
import { observedShare, type ShareCanonical } from "./canonical-share.js";
import { asSpec } from "./canonical-vm.js";
import { all, call, lro, type AzureContext } from "./context.js";
import { azureCall, getOrUndefined, requireSucceeded } from "./errors.js";
import { parseId, subnetNames } from "./ids.js";
import { markerOf, markerTags, META, ownedBy } from "./marker.js";
import { ensureGroup, ensureSubnet, unowned } from "./network.js";

/** The subnet ids of a share's network rules: names in the provider's VNet are created there when missing; full ids are used as given. */
async function subnetIds(ctx: AzureContext, spec: ShareCanonical, op: OperationContext): Promise<string[]> {
  const vnet = spec._vnet ?? { group: spec.resourceGroup, name: "vmsync-vnet" };
  const out: string[] = [];
  for (const ref of spec._subnetRefs ?? []) out.push(subnetNames(ref) ? ref : await ensureSubnet(ctx, vnet.group, vnet.name, ref, spec.location, op));
  return out;
}

/** The storage account properties vmsync sets (with the arm-storage 20.0.0 serializer workaround `minimumTlsVersion`, reference §0). */
function accountRules(subnets: string[]): Pick<StorageAccount, "enableHttpsTrafficOnly" | "minimumTlsVersion" | "networkRuleSet"> {
  return {
    enableHttpsTrafficOnly: false,
    minimumTlsVersion: "TLS1_2",
    networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices", virtualNetworkRules: subnets.map((id) => ({ virtualNetworkResourceId: id, action: "Allow" })), ipRules: [] },
  };
}

/** Reads one share with its account, as observe sees it. */
export async function readShare(ctx: AzureContext, rg: string, account: string, share: string, op?: OperationContext): Promise<ObservedResource | undefined> {
  const storage = await ctx.clients.storage();
  const acct = await getOrUndefined(`read storage account ${account}`, () => storage.storageAccounts.getProperties(rg, account, call(op)));
  if (!acct) return undefined;
  const s = await getOrUndefined(`read file share ${share}`, () => storage.fileShares.get(rg, account, share, call(op)));
  if (!s?.id) return undefined;
  const marker = markerOf(s.metadata);
  return { kind: "NfsShare", externalId: s.id, name: share, spec: asSpec(observedShare(acct, s)), ...(marker ? { marker } : {}) };
}

/**
 * Creates an NFS share, safe to retry. The premium FileStorage account is created when missing and
 * `createAccount` is true (tagged with the share's marker; HTTPS-only off; network rules deny all
 * but the given subnets) and its result is checked (a failed create can "succeed" with `{}`); with
 * `createAccount: false` it must exist and is never modified. The share (NFS, quota, root squash)
 * carries the marker in its metadata; a same-named share without it is a conflict.
 */
export async function createShare(ctx: AzureContext, req: CreateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as ShareCanonical;
  const storage = await ctx.clients.storage();
  const rg = spec.resourceGroup;
  const acctName = spec.storageAccount;
  await ensureGroup(ctx, rg, spec.location, op);
  let acct = await getOrUndefined(`read storage account ${acctName}`, () => storage.storageAccounts.getProperties(rg, acctName, call(op)));
  if (!acct && !spec._createAccount) throw new ProviderError(`create NfsShare ${req.name}: storage account ${acctName} does not exist in ${rg} (azure.createAccount is false, so vmsync does not create it)`, { code: "ResourceNotFound", retryable: false });
  if (!acct) {
    const subnets = await subnetIds(ctx, spec, op);
    const doing = `create storage account ${acctName} in ${rg}`;
    const made = await azureCall(doing, () =>
      lro(ctx, op, (o) => storage.storageAccounts.create(rg, acctName, { location: spec.location, kind: "FileStorage", sku: { name: "Premium_LRS" }, tags: markerTags(req.marker), ...accountRules(subnets) }, o)),
    );
    if (!made?.id) acct = await getOrUndefined(doing, () => storage.storageAccounts.getProperties(rg, acctName, call(op)));
    acct = requireSucceeded(doing, made?.id ? made : acct, `network rules: ${subnets.join(", ") || "none"}`);
  } else if (spec._createAccount && markerOf(acct.tags)?.stack !== ctx.stack) {
    throw unowned("storage account", acct.id, req.address);
  }
  const existing = await getOrUndefined(`read file share ${req.name}`, () => storage.fileShares.get(rg, acctName, req.name, call(op)));
  if (existing && !ownedBy(existing.metadata, req.marker.stack, req.marker.address)) throw unowned("file share", existing.id, req.address);
  if (!existing) {
    await azureCall(`create NFS share ${req.name} in ${acctName}`, () =>
      storage.fileShares.create(rg, acctName, req.name, { enabledProtocols: "NFS", rootSquash: spec.rootSquash as "RootSquash", shareQuota: spec.quotaGiB, metadata: { [META.stack]: req.marker.stack, [META.address]: req.marker.address } }, call(op)),
    );
  }
  ctx.shareAccounts.set(req.name, { resourceGroup: rg, account: acctName });
  const out = await readShare(ctx, rg, acctName, req.name, op);
  if (!out) throw new ProviderError(`create NfsShare ${req.name}: the share cannot be read back`, { code: "OperationFailedWithoutResource", retryable: true });
  return out;
}

/** Updates quota and root squash in place; network rules only on an account vmsync created for this share. */
export async function updateShare(ctx: AzureContext, req: UpdateRequest, op: OperationContext): Promise<ObservedResource> {
  const spec = req.spec as unknown as ShareCanonical;
  const p = parseId(req.externalId);
  if (!p) throw new ProviderError(`update ${req.address}: not an Azure resource id: ${req.externalId}`, { code: "BAD_ID", retryable: false });
  const [account] = p.names as [string];
  const storage = await ctx.clients.storage();
  const paths = new Set(req.changes.map((c) => rulePath(c.path)));
  if (paths.has("quotaGiB") || paths.has("rootSquash")) {
    await azureCall(`update NFS share ${p.name}`, () => storage.fileShares.update(p.resourceGroup, account, p.name, { shareQuota: spec.quotaGiB, rootSquash: spec.rootSquash as "RootSquash" }, call(op)));
  }
  if ([...paths].some((x) => x.startsWith("account."))) {
    const acct = await azureCall(`read storage account ${account}`, () => storage.storageAccounts.getProperties(p.resourceGroup, account, call(op)));
    if (!ownedBy(acct.tags, ctx.stack, req.address)) throw new ProviderError(`update ${req.address}: storage account ${account} was not created by vmsync for this share; its network rules are not changed`, { code: "UNOWNED_CONFLICT", retryable: false });
    const subnets = await subnetIds(ctx, spec, op);
    await azureCall(`update network rules of storage account ${account}`, () => storage.storageAccounts.update(p.resourceGroup, account, accountRules(subnets), call(op)));
  }
  const out = await readShare(ctx, p.resourceGroup, account, p.name, op);
  if (!out) throw new ProviderError(`update ${req.address}: the share no longer exists`, { code: "ResourceNotFound", retryable: false });
  return out;
}

/** Deletes the share, then its account when vmsync created the account for this share and no share is left in it. */
export async function deleteShare(ctx: AzureContext, req: DeleteRequest, op: OperationContext): Promise<void> {
  const p = parseId(req.externalId);
  if (!p) return;
  const [account] = p.names as [string];
  const storage = await ctx.clients.storage();
  const acct = await getOrUndefined(`read storage account ${account}`, () => storage.storageAccounts.getProperties(p.resourceGroup, account, call(op)));
  if (!acct) return;
  const share = await getOrUndefined(`read file share ${p.name}`, () => storage.fileShares.get(p.resourceGroup, account, p.name, call(op)));
  const owner = markerOf(share?.metadata);
  if (owner && (owner.stack !== ctx.stack || owner.address !== req.address)) throw unowned("file share", share?.id, req.address); // the planner checks too
  if (share) await getOrUndefined(`delete NFS share ${p.name}`, () => storage.fileShares.delete(p.resourceGroup, account, p.name, call(op)));
  if (!ownedBy(acct.tags, ctx.stack, req.address)) return;
  const left = (await getOrUndefined(`list file shares of ${account}`, () => all(storage.fileShares.list(p.resourceGroup, account, call(op))))) ?? [];
  if (left.length === 0) await getOrUndefined(`delete storage account ${account}`, () => storage.storageAccounts.delete(p.resourceGroup, account, call(op)));
}
