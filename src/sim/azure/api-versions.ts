import { ArmError } from "./errors.js";

/**
 * The api-versions the simulator accepts per resource type (lower-case `namespace/type`). The first of
 * each list is what the pinned SDKs send (reference §0); older stable versions are accepted too because
 * the wire shapes used here did not change between them.
 */
const SUPPORTED: Record<string, readonly string[]> = {
  "microsoft.resources/resourcegroups": ["2025-04-01", "2024-11-01", "2024-07-01", "2024-03-01", "2022-09-01", "2021-04-01"],
  "microsoft.compute/virtualmachines": ["2026-03-01", "2025-04-01", "2024-11-01", "2024-07-01", "2024-03-01"],
  "microsoft.compute/disks": ["2025-01-02", "2024-03-02", "2023-10-02", "2023-04-02"],
  "microsoft.compute/snapshots": ["2025-01-02", "2024-03-02", "2023-10-02", "2023-04-02"],
  "microsoft.storage/storageaccounts": ["2025-08-01", "2025-06-01", "2025-01-01", "2024-01-01", "2023-05-01"],
  "microsoft.network/virtualnetworks": ["2025-05-01", "2025-03-01", "2024-10-01", "2024-07-01", "2024-05-01", "2024-03-01"],
  "microsoft.network/networkinterfaces": ["2025-05-01", "2025-03-01", "2024-10-01", "2024-07-01", "2024-05-01", "2024-03-01"],
  "microsoft.network/publicipaddresses": ["2025-05-01", "2025-03-01", "2024-10-01", "2024-07-01", "2024-05-01", "2024-03-01"],
};

/**
 * Checks the `api-version` query parameter for a request to a resource type (lower-case
 * `namespace/topLevelType`). Missing → 400 `MissingApiVersionParameter`; unknown for a resource
 * provider type → 400 `NoRegisteredProviderFound`; unknown for resource groups → 400
 * `InvalidApiVersionParameter` (ARM's own codes). Returns the accepted version.
 */
export function checkApiVersion(apiVersion: string | null, typeKey: string | undefined, location = "eastus"): string {
  if (!apiVersion) {
    throw new ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (typeKey === undefined) return apiVersion;
  const supported = SUPPORTED[typeKey];
  if (supported === undefined || supported.includes(apiVersion)) return apiVersion;
  const list = supported.join(", ");
  if (typeKey.startsWith("microsoft.resources/")) {
    throw new ArmError(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid. The supported versions are '${list}'.`);
  }
  const type = typeKey.split("/")[1] ?? typeKey;
  throw new ArmError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${list}'. The supported locations are 'eastus, westeurope, northeurope, westus2'.`,
  );
}
