import type { Provider } from "./contract.js";

/**
 * The provider implementations by type. Each provider folder exports one `Provider`; its line here
 * is the only wiring it needs. Loaded lazily so that a run only loads the SDKs it uses.
 */
const loaders: Partial<Record<Provider["type"], () => Promise<Provider>>> = {
  proxmox: async () => (await import("./proxmox/index.js")).proxmoxProvider,
  truenas: async () => (await import("./truenas/index.js")).truenasProvider,
  azure: async () => (await import("./azure/index.js")).azureProvider,
};

/**
 * How much loading each implementation costs (its SDK's code), lightest first: connect loads them
 * in this order so that the light ones are already connecting while the heavy ones load.
 */
const LOAD_WEIGHT: Partial<Record<Provider["type"], number>> = { proxmox: 0, truenas: 1, azure: 2 };

/** The load weight of a provider type (see LOAD_WEIGHT); unknown types weigh the most. */
export function loadWeight(type: string): number {
  return LOAD_WEIGHT[type as Provider["type"]] ?? 3;
}

/** Thrown when a manifest names a provider type this build does not implement. */
export class ProviderUnavailableError extends Error {
  readonly code = "PROVIDER_UNAVAILABLE";
  readonly retryable = false;
  constructor(type: string) {
    super(`the ${type} provider is not available in this build of vmsync`);
    this.name = "ProviderUnavailableError";
  }
}

/** The implementation of a provider type. */
export async function providerFor(type: Provider["type"]): Promise<Provider> {
  const load = loaders[type];
  if (!load) throw new ProviderUnavailableError(type);
  return load();
}
