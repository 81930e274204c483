import { ProviderError, type OperationContext } from "../contract.js";
import { all, call, type AzureContext } from "./context.js";
import { azureFilesNfsSource, type CloudInitInputs } from "./cloud-init.js";
import { getOrUndefined } from "./errors.js";
import { markerOf } from "./marker.js";

/**
 * Finds the storage account of NfsShare `share` for a VM's mount: from what observe and share
 * creates learnt, else by reading the FileStorage accounts of the candidate groups (the VM's and the
 * provider's default) and their shares — a share carrying this stack's marker for `NfsShare/<share>`
 * wins over one that merely has the name.
 */
export async function locateShare(ctx: AzureContext, share: string, groups: string[], op: OperationContext): Promise<{ resourceGroup: string; account: string } | undefined> {
  const known = ctx.shareAccounts.get(share);
  if (known) return known;
  const storage = await ctx.clients.storage();
  let fallback: { resourceGroup: string; account: string } | undefined;
  for (const rg of [...new Set(groups)]) {
    const accounts = (await getOrUndefined(`list storage accounts in ${rg}`, () => all(storage.storageAccounts.listByResourceGroup(rg, call(op))))) ?? [];
    for (const a of accounts.filter((x) => x.kind === "FileStorage" && x.name)) {
      const shares = (await getOrUndefined(`list file shares of ${a.name!}`, () => all(storage.fileShares.list(rg, a.name!, call(op))))) ?? [];
      const hit = shares.find((s) => s.name === share);
      if (!hit) continue;
      const where = { resourceGroup: rg, account: a.name! };
      const m = markerOf(hit.metadata);
      if (m?.stack === ctx.stack && m.address === `NfsShare/${share}`) {
        ctx.shareAccounts.set(share, where);
        return where;
      }
      fallback ??= where;
    }
  }
  return fallback;
}

/** The NFS source of every mount's share (`<account>.file.core.windows.net:/<account>/<share>`); a share not found is a permanent error. */
export async function mountSources(ctx: AzureContext, inputs: CloudInitInputs, groups: string[], op: OperationContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of inputs.mounts) {
    if (out.has(m.share)) continue;
    const where = await locateShare(ctx, m.share, groups, op);
    if (!where) throw new ProviderError(`mount of NfsShare ${m.share}: no Azure Files NFS share named ${m.share} found in resource groups ${groups.join(", ")} (VMs on Azure mount shares of the same Azure provider)`, { code: "SHARE_NOT_FOUND", retryable: false });
    out.set(m.share, azureFilesNfsSource(where.account, m.share));
  }
  return out;
}
