import type { SimContext } from "./context.js";
import { ArmError } from "./errors.js";
import { isObject, type Json } from "./json.js";
import { findSubnet } from "./virtual-networks.js";

/**
 * A storage account's `networkAcls` in the shape Microsoft.Storage returns: `bypass` (default
 * `AzureServices`), `virtualNetworkRules[{id, action, state}]`, `ipRules[{value, action}]`,
 * `defaultAction` (default `Allow`).
 */
export function normalizeAcls(acls: unknown): Json {
  const a: Json = isObject(acls) ? acls : {};
  const vnet = Array.isArray(a.virtualNetworkRules) ? (a.virtualNetworkRules as Json[]) : [];
  const ip = Array.isArray(a.ipRules) ? (a.ipRules as Json[]) : [];
  return {
    bypass: a.bypass ?? "AzureServices",
    virtualNetworkRules: vnet.map((r) => ({ id: String(r.id ?? ""), action: r.action ?? "Allow", state: "Succeeded" })),
    ipRules: ip.map((r) => ({ value: String(r.value ?? ""), action: r.action ?? "Allow" })),
    defaultAction: a.defaultAction ?? "Allow",
    ...(Array.isArray(a.resourceAccessRules) ? { resourceAccessRules: a.resourceAccessRules } : {}),
  };
}

/**
 * Validates the vnet rules of normalized ACLs the way Microsoft.Storage does: every subnet must exist
 * and have the `Microsoft.Storage` service endpoint. Returns the `NetworkAclsValidationFailure`
 * error (code and Azure's message) or `undefined` when valid. The caller decides how it is delivered:
 * as a failed async operation on create, as a 400 on a synchronous update.
 */
export function aclValidationError(sim: SimContext, acls: Json): ArmError | undefined {
  const missing: string[] = [];
  const noEndpoint: string[] = [];
  for (const rule of acls.virtualNetworkRules as Json[]) {
    const subnet = findSubnet(sim, String(rule.id));
    if (!subnet) missing.push(String(rule.id));
    else {
      const eps = (subnet.properties?.serviceEndpoints ?? []) as Json[];
      if (!eps.some((e) => String(e.service).toLowerCase() === "microsoft.storage")) noEndpoint.push(String(rule.id));
    }
  }
  if (missing.length === 0 && noEndpoint.length === 0) return undefined;
  const parts: string[] = [];
  if (noEndpoint.length) parts.push(`SubnetsHaveNoServiceEndpointsConfigured:${noEndpoint.join(",")}`);
  if (missing.length) parts.push(`SubnetsNotExist:${missing.join(",")}`);
  return new ArmError(400, "NetworkAclsValidationFailure", `Validation of network acls failure: ${parts.join(";")}.`);
}
