import { ArmError } from "./errors.js";
import { PUBLISHED_API_VERSIONS } from "./published-api-versions.js";

/**
 * The api-versions the simulator accepts per resource type (lower-case `namespace/type[/child…]`): every
 * version ARM publishes for it, generated from azure-rest-api-specs (published-api-versions.ts,
 * scripts/azure-api-versions.mjs), so that SDKs and CLIs pinned to an older version work. Responses
 * take that version's shape (api-version-shapes.ts).
 */
const SUPPORTED = PUBLISHED_API_VERSIONS;

/**
 * Checks the `api-version` query parameter for a request to a resource type (lower-case
 * `namespace/topLevelType`). Missing → 400 `MissingApiVersionParameter`; unknown for a resource
 * provider type → 400 `NoRegisteredProviderFound` naming `typeName` (the type as the request spells it); unknown for resource groups → 400
 * `InvalidApiVersionParameter` (ARM's own codes). Returns the accepted version.
 */
export function checkApiVersion(apiVersion: string | null, typeKey: string | undefined, location = "eastus", typeName?: string): string {
  if (!apiVersion) {
    throw new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (typeKey === undefined) return apiVersion;
  const supported = SUPPORTED[typeKey];
  if (supported === undefined || supported.includes(apiVersion)) return apiVersion;
  // ARM lists the versions of a type oldest first in this message
  const list = [...supported].reverse().join(", ");
  if (typeKey.startsWith("microsoft.resources/")) {
    throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid. The supported versions are '${list}'.`);
  }
  const type = typeName ?? (typeKey.split("/").slice(1).join("/") || typeKey);
  throw new ArmError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${list}'. The supported locations are 'eastus, eastus2, westeurope, northeurope, westus2'.`,
  );
}
