import type { ArmReply, ArmRequest, ResourceRef, ResourceTypeHandlers, SimContext } from "./context.js";
import { ArmError, invalidParameter } from "./errors.js";
import { now } from "./ids.js";
import { clone, isObject, type Json } from "./json.js";
import { aclValidationError, normalizeAcls } from "./network-acls.js";
import { lroHeaders } from "./operation-routes.js";
import { assertIdle, checkSameLocation, listOfType, nameOf, newResource, normalizeLocation, requireBody, requireLocation, requireResource, tagsOf } from "./resources.js";
import type { StoredResource } from "./world.js";

const TYPE = "Microsoft.Storage/storageAccounts";
const SHARE_TYPE = "Microsoft.Storage/storageAccounts/fileServices/shares";
const SKUS = ["Standard_LRS", "Standard_GRS", "Standard_RAGRS", "Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS", "Premium_LRS", "Premium_ZRS"];
const KINDS = ["Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage"];
/** Properties the simulator computes; other request properties are stored as given. */
const MANAGED = new Set(["provisioningState", "creationTime", "primaryEndpoints", "primaryLocation", "statusOfPrimary", "networkAcls"]);

/**
 * Storage accounts (modular `StorageManagementClient` 20.x, api-version 2025-08-01). Wire names:
 * `networkAcls` (SDK `networkRuleSet`), `supportsHttpsTrafficOnly` (SDK `enableHttpsTrafficOnly`).
 * Mind the SDK 20.0.0 serializer bug (reference §0): unless the request also sets a property listed
 * in camelCase such as `minimumTlsVersion`, the SDK sends no `properties` at all — the simulator then
 * stores the defaults (HTTPS only, `defaultAction: Allow`), exactly as Azure would.
 * - PUT new → 202, empty body, only `Location` (`…/locations/{loc}/asyncoperations/{id}?monitor=true`):
 *   202 while running, then 200 with the full account. Names are global (409
 *   `StorageAccountAlreadyTaken`) and must match `^[a-z0-9]{3,24}$` (400 `AccountNameInvalid`);
 *   `FileStorage` needs a Premium SKU. A vnet rule naming a subnet without the `Microsoft.Storage`
 *   service endpoint fails the operation with `NetworkAclsValidationFailure`, delivered in
 *   `knobs.storageAclFailureShape` (default: the monitor answers 200 with a failed body and the SDK
 *   resolves with `{}` — check `id`/`provisioningState` of the result). A failed create leaves no account.
 * - PUT existing → 200 synchronously; PATCH (`update`) → 200 synchronously, ACL errors as 400.
 * - DELETE → 200 (and its shares go), 204 when missing. Lists page.
 */
export const storageAccountHandlers: ResourceTypeHandlers = {
  key: "microsoft.storage/storageaccounts",
  apiVersionKey: "microsoft.storage/storageaccounts",
  get: (sim, _req, ref) => ({ status: 200, body: clone(requireResource(sim, ref).body) }),
  put(sim, req, ref) {
    const body = requireBody(req);
    const acct = sim.world.get(ref.id);
    return acct ? update(sim, ref, acct, body, true) : create(sim, req, ref, body);
  },
  patch: (sim, req, ref) => update(sim, ref, requireResource(sim, ref), requireBody(req), false),
  delete(sim, _req, ref) {
    const acct = sim.world.get(ref.id);
    if (!acct) return { status: 204 };
    assertIdle(acct);
    for (const s of sim.world.list(SHARE_TYPE, { parentId: acct.id })) sim.world.delete(s.id);
    sim.world.delete(acct.id);
    return { status: 200 };
  },
  list: (sim, req, scope) => listOfType(sim, req, scope, TYPE, (a) => clone(a.body)),
};

function create(sim: SimContext, req: ArmRequest, ref: ResourceRef, body: Json): ArmReply {
  const name = nameOf(ref);
  if (!/^[a-z0-9]{3,24}$/.test(name)) {
    throw new ArmError(400, "AccountNameInvalid", `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`);
  }
  const taken = sim.world.list(TYPE).find((a) => String(a.body.name) === name);
  if (taken) throw new ArmError(409, "StorageAccountAlreadyTaken", `The storage account named ${name} is already taken.`);
  const location = normalizeLocation(requireLocation(body));
  const sku = String(body.sku?.name ?? "");
  if (!SKUS.includes(sku)) throw invalidParameter(`The value '${sku}' is not valid for sku.name. Valid values: ${SKUS.join(", ")}.`, "sku.name");
  const kind = String(body.kind ?? "");
  if (!KINDS.includes(kind)) throw invalidParameter(`The value '${kind}' is not valid for kind. Valid values: ${KINDS.join(", ")}.`, "kind");
  if ((kind === "FileStorage" || kind === "BlockBlobStorage") && !sku.startsWith("Premium")) {
    throw invalidParameter(`The kind '${kind}' is only supported with a Premium SKU (Premium_LRS or Premium_ZRS).`, "sku.name");
  }
  const props: Json = isObject(body.properties) ? body.properties : {};
  const acct = newResource(ref, location, body);
  acct.body.sku = { name: sku, tier: sku.startsWith("Premium") ? "Premium" : "Standard" };
  acct.body.kind = kind;
  const stored: Json = {};
  for (const [k, v] of Object.entries(props)) if (!MANAGED.has(k)) stored[k] = clone(v);
  const acls = normalizeAcls(props.networkAcls);
  acct.body.properties = {
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    supportsHttpsTrafficOnly: true,
    publicNetworkAccess: "Enabled",
    encryption: { keySource: "Microsoft.Storage", services: { file: { enabled: true, keyType: "Account" }, blob: { enabled: true, keyType: "Account" } } },
    ...(kind === "StorageV2" || kind === "BlobStorage" ? { accessTier: "Hot" } : {}),
    ...stored,
    networkAcls: acls,
    provisioningState: "Creating",
    creationTime: now(),
    primaryLocation: location,
    statusOfPrimary: "available",
    primaryEndpoints: endpoints(name, kind),
  };
  sim.world.put(acct);
  const aclError = aclValidationError(sim, acls);
  const op = sim.ops.start({
    operation: "storageAccounts.create",
    namespace: "Microsoft.Storage",
    location,
    apiVersion: req.apiVersion,
    resource: acct,
    complete: () => {
      acct.body.properties.provisioningState = "Succeeded";
    },
    fail: () => {
      sim.world.delete(acct.id);
    },
    result: () => clone(acct.body),
    ...(aclError ? { failure: { shape: sim.knobs.storageAclFailureShape, code: aclError.code, message: aclError.message } } : {}),
  });
  return { status: 202, headers: lroHeaders(sim, op, { location: true }) };
}

function update(sim: SimContext, ref: ResourceRef, acct: StoredResource, body: Json, isPut: boolean): ArmReply {
  assertIdle(acct);
  if (isPut) checkSameLocation(acct, body, ref);
  const props: Json = isObject(body.properties) ? body.properties : {};
  let acls: Json | undefined;
  if (props.networkAcls !== undefined) {
    acls = normalizeAcls(props.networkAcls);
    const err = aclValidationError(sim, acls);
    if (err) throw err;
  }
  if (body.sku?.name !== undefined) {
    const sku = String(body.sku.name);
    if (!SKUS.includes(sku) || sku.startsWith("Premium") !== String(acct.body.sku.name).startsWith("Premium")) {
      throw invalidParameter(`The SKU of storage account ${nameOf(ref)} cannot be changed from ${String(acct.body.sku.name)} to ${sku}.`, "sku.name");
    }
    acct.body.sku = { name: sku, tier: acct.body.sku.tier };
  }
  if (isPut || body.tags !== undefined) acct.body.tags = tagsOf(body);
  const have = acct.body.properties as Json;
  for (const [k, v] of Object.entries(props)) if (!MANAGED.has(k)) have[k] = clone(v);
  if (acls) have.networkAcls = acls;
  sim.world.touch();
  return { status: 200, body: clone(acct.body) };
}

function endpoints(name: string, kind: string): Json {
  if (kind === "FileStorage") return { file: `https://${name}.file.core.windows.net/` };
  if (kind === "BlockBlobStorage") return { blob: `https://${name}.blob.core.windows.net/`, dfs: `https://${name}.dfs.core.windows.net/`, web: `https://${name}.z13.web.core.windows.net/` };
  return {
    blob: `https://${name}.blob.core.windows.net/`,
    queue: `https://${name}.queue.core.windows.net/`,
    table: `https://${name}.table.core.windows.net/`,
    file: `https://${name}.file.core.windows.net/`,
    dfs: `https://${name}.dfs.core.windows.net/`,
    web: `https://${name}.z13.web.core.windows.net/`,
  };
}
