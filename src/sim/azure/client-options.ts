import { readFileSync } from "node:fs";
import type { AccessToken, TokenCredential } from "@azure/core-auth";

/** The ARM token scope every client should ask for, whatever endpoint it talks to. */
export const ARM_SCOPE = "https://management.azure.com/.default";

/**
 * A `TokenCredential` that always returns `token` (valid for an hour from each call). For tests and
 * for pointing vmsync at the simulator; the SDK's bearer policy caches it and sends
 * `Authorization: Bearer <token>`.
 */
export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}

/** SDK retry settings: `maxRetries` 0 surfaces every fault at once. */
export interface SimRetryOptions {
  maxRetries: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/**
 * Constructor options for the two SDK generations against the simulator (reference §1):
 * - `modular` for `ComputeManagementClient` (24.x) and `StorageManagementClient` (20.x):
 *   `endpoint`, `credentials.scopes`, `tlsOptions.ca`, `retryOptions`;
 * - `classic` for `NetworkManagementClient` (36.x) and `ResourceManagementClient` (7.x):
 *   `endpoint` (not `$host`, which does not route), `credentialScopes` (their default would be
 *   `${endpoint}/.default`), `tlsOptions.ca`, `retryOptions`.
 * `tlsOptions.ca` trusts the simulator's self-signed certificate for that client only; verification
 * stays on. Never pass these options to a client meant for real Azure.
 */
export interface SimClientOptions {
  modular: { endpoint: string; credentials: { scopes: string[] }; tlsOptions: { ca: string }; retryOptions: SimRetryOptions };
  classic: { endpoint: string; credentialScopes: string[]; tlsOptions: { ca: string }; retryOptions: SimRetryOptions };
}

/** Builds `SimClientOptions` for a started simulator (reads its CA file). Default: no SDK retries. */
export function simClientOptions(sim: { endpoint: string; caFile: string }, retryOptions: SimRetryOptions = { maxRetries: 0 }): SimClientOptions {
  const ca = readFileSync(sim.caFile, "utf8");
  return {
    modular: { endpoint: sim.endpoint, credentials: { scopes: [ARM_SCOPE] }, tlsOptions: { ca }, retryOptions: { ...retryOptions } },
    classic: { endpoint: sim.endpoint, credentialScopes: [ARM_SCOPE], tlsOptions: { ca }, retryOptions: { ...retryOptions } },
  };
}
