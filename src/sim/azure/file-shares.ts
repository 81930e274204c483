import type { ArmReply, ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { ArmError, invalidParameter, resourceNotFound } from "./errors.js";
import { now, storageEtag } from "./ids.js";
import { clone, isObject, type Json } from "./json.js";
import { listOfType, requireBody, requireResource } from "./resources.js";
import type { StoredResource } from "./world.js";

const TYPE = "Microsoft.Storage/storageAccounts/fileServices/shares";
const ROOT_SQUASH = ["NoRootSquash", "RootSquash", "AllSquash"];

/**
 * File shares (`…/storageAccounts/{a}/fileServices/default/shares/{s}`, modular storage client):
 * all synchronous. PUT → 201 new / 200 existing with `{id,name,type,etag,properties}`; PATCH → 200;
 * GET; DELETE → 200, 204 when missing; list pages (`$maxpagesize` honoured).
 * Rules: `enabledProtocols` is `SMB` (default) or `NFS` and fixed at creation (400
 * `InvalidParameter` on change); NFS needs a `FileStorage` account (400
 * `FeatureNotSupportedForAccount`, "NfsFileShares is not supported for the account."); `rootSquash`
 * (`NoRootSquash`|`RootSquash`|`AllSquash`) only for NFS; `shareQuota` in GiB, 100–102400 on premium
 * accounts and 1–102400 otherwise (400 `InvalidHeaderValue`, as the data plane reports it).
 */
export const fileShareHandlers: ResourceTypeHandlers = {
  key: "microsoft.storage/storageaccounts/fileservices/shares",
  apiVersionKey: "microsoft.storage/storageaccounts/fileservices/shares",
  get(sim, _req, ref) {
    account(sim, ref);
    return { status: 200, body: clone(requireResource(sim, ref).body) };
  },
  put(sim, req, ref) {
    const acct = account(sim, ref);
    const body = requireBody(req);
    const share = sim.world.get(ref.id);
    return share ? update(sim, acct, share, body) : create(sim, acct, ref, body);
  },
  patch(sim, req, ref) {
    const acct = account(sim, ref);
    return update(sim, acct, requireResource(sim, ref), requireBody(req));
  },
  delete(sim, _req, ref) {
    account(sim, ref);
    return { status: sim.world.delete(ref.id) ? 200 : 204 };
  },
  list(sim, req, scope) {
    if (!scope.parent) throw new ArmError(404, "NotFound", "File shares are listed per storage account.");
    account(sim, scope.parent);
    return listOfType(sim, req, scope, TYPE, (s) => clone(s.body));
  },
};

/** The share's storage account (404 when missing, or when the file service is not `default`). */
function account(sim: SimContext, ref: ResourceRef): StoredResource {
  const [acctName, service] = ref.names;
  const id = `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${acctName ?? ""}`;
  const acct = sim.world.get(id);
  if (!acct) throw resourceNotFound("Microsoft.Storage/storageAccounts", acctName ?? "", ref.resourceGroup);
  if (service !== undefined && service.toLowerCase() !== "default") throw resourceNotFound("Microsoft.Storage/storageAccounts/fileServices", `${acctName ?? ""}/${service}`, ref.resourceGroup);
  return acct;
}

function checkQuota(acct: StoredResource, quota: unknown): number {
  const premium = String(acct.body.sku?.name).startsWith("Premium");
  const q = Number(quota);
  const min = premium ? 100 : 1;
  if (!Number.isInteger(q) || q < min || q > 102400) {
    throw new ArmError(400, "InvalidHeaderValue", `The value for one of the HTTP headers is not in the correct format. shareQuota must be an integer between ${min} and 102400 GiB for this account (got ${String(quota)}).`, { target: "shareQuota" });
  }
  return q;
}

function checkRootSquash(value: unknown, protocol: string): void {
  if (value === undefined) return;
  if (protocol !== "NFS") throw invalidParameter("rootSquash is only supported for NFS shares.", "rootSquash");
  if (!ROOT_SQUASH.includes(String(value))) throw invalidParameter(`The value '${String(value)}' is not valid for rootSquash. Valid values: ${ROOT_SQUASH.join(", ")}.`, "rootSquash");
}

function create(sim: SimContext, acct: StoredResource, ref: ResourceRef, body: Json): ArmReply {
  const name = ref.names[ref.names.length - 1]!;
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name)) throw new ArmError(400, "InvalidResourceName", `The specifed resource name '${name}' contains invalid characters or has an invalid length (3–63 lower-case letters, digits and single hyphens).`);
  const props: Json = isObject(body.properties) ? body.properties : {};
  const protocol = String(props.enabledProtocols ?? "SMB").toUpperCase();
  if (protocol !== "SMB" && protocol !== "NFS") throw invalidParameter(`The value '${String(props.enabledProtocols)}' is not valid for enabledProtocols (SMB or NFS).`, "enabledProtocols");
  if (protocol === "NFS" && acct.body.kind !== "FileStorage") throw new ArmError(400, "FeatureNotSupportedForAccount", "NfsFileShares is not supported for the account.");
  checkRootSquash(props.rootSquash, protocol);
  const premium = String(acct.body.sku?.name).startsWith("Premium");
  const quota = checkQuota(acct, props.shareQuota ?? (premium ? 100 : 102400));
  const stored: Json = {
    ...clone(props),
    shareQuota: quota,
    enabledProtocols: protocol,
    accessTier: premium ? "Premium" : String(props.accessTier ?? "TransactionOptimized"),
    lastModifiedTime: now(),
    leaseStatus: "unlocked",
    leaseState: "available",
  };
  if (protocol === "NFS") stored.rootSquash = props.rootSquash ?? "NoRootSquash";
  const share: StoredResource = { id: ref.id, type: TYPE, resourceGroup: ref.resourceGroup, body: { id: ref.id, name, type: TYPE, etag: storageEtag(sim.random), properties: stored }, internal: {} };
  sim.world.put(share);
  return { status: 201, body: clone(share.body) };
}

function update(sim: SimContext, acct: StoredResource, share: StoredResource, body: Json): ArmReply {
  const props: Json = isObject(body.properties) ? body.properties : {};
  const have = share.body.properties as Json;
  if (props.enabledProtocols !== undefined && String(props.enabledProtocols).toUpperCase() !== have.enabledProtocols) {
    throw invalidParameter("enabledProtocols cannot be changed after the share is created.", "enabledProtocols");
  }
  checkRootSquash(props.rootSquash, String(have.enabledProtocols));
  const quota = props.shareQuota !== undefined ? checkQuota(acct, props.shareQuota) : undefined;
  for (const [k, v] of Object.entries(props)) if (v !== undefined && k !== "enabledProtocols") have[k] = clone(v);
  if (quota !== undefined) have.shareQuota = quota;
  have.lastModifiedTime = now();
  share.body.etag = storageEtag(sim.random);
  sim.world.touch();
  return { status: 200, body: clone(share.body) };
}
