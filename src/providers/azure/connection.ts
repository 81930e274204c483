import { readFile } from "node:fs/promises";
import { Agent } from "node:https";
import { resolve } from "node:path";
import { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { StorageManagementClient } from "@azure/arm-storage";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { RestError, type PipelinePolicy } from "@azure/core-rest-pipeline";
import type { DesiredProvider } from "../../manifest/model.js";
import type { AzureProviderSpec } from "../../manifest/schema/index.js";
import { readSecret, readSetting } from "../../manifest/secrets.js";
import { ProviderError, type ConnectOptions } from "../contract.js";
import { pacerFor, type RequestPacer } from "./rate-limit.js";
import { noteRetryAfter, pollPacing, type PollPacing } from "./lro.js";
import { contextTrusting } from "../tls-context.js";
import { deadlineSignal } from "../deadline-signal.js";

/** The public cloud's ARM endpoint and token scope. */
export const PUBLIC_ENDPOINT = "https://management.azure.com";
export const ARM_SCOPE = "https://management.azure.com/.default";

/** The four SDK clients of one session, and what they were built from. */
export interface AzureClients {
  subscriptionId: string;
  endpoint: string;
  compute: ComputeManagementClient;
  /** The storage client, built on first use: only NFS shares need it, and its SDK is large to load. */
  storage(): Promise<StorageManagementClient>;
  /**
   * The network client, built on first use: a plan reads the network with raw lists through
   * `resources` (raw-list.ts), and the network SDK is two thirds of the Azure code vmsync loads.
   */
  network(): Promise<NetworkManagementClient>;
  /** The resources client; its pipeline also sends vmsync's raw list requests (raw-list.ts). */
  resources: ResourceManagementClient;
  /** How long-running operations are polled (see lro.ts); `VMSYNC_AZURE_POLL_MS` caps the interval. */
  pacing: PollPacing;
  /** The session's one HTTPS agent (one TLS context, kept-alive connections shared by the four clients). */
  agent: Agent;
}

/**
 * The token scope for an ARM endpoint: the public cloud and unknown endpoints (the simulator) use
 * `https://management.azure.com/.default`; US Government and China use their own management audience.
 * Both client generations are given it explicitly (classic clients would otherwise ask for
 * `${endpoint}/.default`, reference §1).
 */
export function scopeFor(endpoint: string): string {
  const host = new URL(endpoint).hostname.toLowerCase();
  if (host.endsWith(".usgovcloudapi.net")) return "https://management.usgovcloudapi.net/.default";
  if (host.endsWith(".chinacloudapi.cn")) return "https://management.chinacloudapi.cn/.default";
  return ARM_SCOPE;
}

/** A credential that always returns `token` (auth.type static-token: the simulator, short-lived CI tokens). */
export function fixedTokenCredential(token: string): TokenCredential {
  return { getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/** The credential of a provider: DefaultAzureCredential (auth.type default) or a fixed token from its secret reference. */
export async function credentialFor(config: DesiredProvider, env: NodeJS.ProcessEnv): Promise<TokenCredential> {
  const spec = config.spec as AzureProviderSpec;
  const auth = spec.auth ?? { type: "default" as const };
  if (auth.type === "static-token") return fixedTokenCredential(await readSecret(auth.token, config.baseDir, env));
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential();
}

/** The subscription id: `spec.subscriptionId` (literal or {env}) or AZURE_SUBSCRIPTION_ID. */
export function subscriptionOf(config: DesiredProvider, env: NodeJS.ProcessEnv): string {
  const spec = config.spec as AzureProviderSpec;
  const sub = readSetting(spec.subscriptionId, env) ?? env.AZURE_SUBSCRIPTION_ID;
  if (!sub) throw new ProviderError(`provider "${config.name}": no Azure subscription id (set spec.subscriptionId or AZURE_SUBSCRIPTION_ID)`, { code: "NO_SUBSCRIPTION", retryable: false });
  return sub;
}

/** Retries of one request on a transient answer, quick and bounded (Retry-After is honoured). */
export const REQUEST_RETRIES = { maxRetries: 3, retryDelayInMs: 250, maxRetryDelayInMs: 4_000 };

/** How long one ARM request may go unanswered (ms); `VMSYNC_AZURE_REQUEST_TIMEOUT_MS` overrides it. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
/**
 * A pipeline policy that sends every request through the session's agent, waits for the
 * subscription's pacer before each request (polls and retries included), notes `Retry-After` for
 * the operation wait it belongs to, gives up on a request unanswered after `timeoutMs` (a
 * `RestError` with code `ETIMEDOUT`: transient, and told apart from a cancellation) and reports
 * every request through `onRequest` (method, path without query, status, ms).
 */
function requestPolicy(provider: string, pacer: RequestPacer, agent: Agent, onRequest: ConnectOptions["onRequest"], timeoutMs: number): PipelinePolicy {
  return {
    name: "vmsyncRequests",
    async sendRequest(request, next) {
      request.agent ??= agent;
      await pacer.take(request.method, request.abortSignal);
      const t0 = Date.now();
      const path = new URL(request.url).pathname;
      const outer = request.abortSignal;
      const deadline = deadlineSignal(outer as AbortSignal | undefined, timeoutMs);
      request.abortSignal = deadline.signal;
      try {
        const response = await next(request);
        noteRetryAfter(response.headers);
        onRequest?.({ provider, method: request.method, path, status: response.status, ms: Date.now() - t0 });
        return response;
      } catch (caught) {
        const err = deadline.timedOut() && !outer?.aborted ? new RestError(`no answer from ${new URL(request.url).host} within ${timeoutMs / 1000} s`, { code: "ETIMEDOUT", request }) : caught;
        const status = (err as { statusCode?: number }).statusCode;
        onRequest?.({ provider, method: request.method, path, ...(status !== undefined ? { status } : {}), ms: Date.now() - t0, error: (err as Error).message });
        throw err;
      } finally {
        deadline.release();
        request.abortSignal = outer; // the policies above must not see our timeout as a cancellation
      }
    },
  };
}

/**
 * Builds the four clients for a provider (reference §1): `endpoint` on both generations (classic
 * `$host` does not route), explicit scopes, one keep-alive HTTPS agent for the session whose TLS
 * context trusts the system roots plus `spec.tls.caFile` when given (built once, see tls-context.ts:
 * giving the SDK `tlsOptions.ca` instead makes Node parse ~140 root certificates for every new
 * connection), a few quick retries of each request on transient answers (the SDKs' retry policy:
 * 429 with Retry-After, 408, 5xx and network errors; `REQUEST_RETRIES`), and the request policy for
 * the agent, pacing, the request timeout and `onRequest`. What still fails goes to the executor,
 * which retries the whole step with backoff; without request retries one step of many requests
 * would rarely survive a flaky API.
 */
export async function buildClients(config: DesiredProvider, options: ConnectOptions): Promise<AzureClients> {
  const spec = config.spec as AzureProviderSpec;
  const env = options.env;
  const endpoint = (readSetting(spec.endpoint, env) ?? PUBLIC_ENDPOINT).replace(/\/+$/, "");
  const subscriptionId = subscriptionOf(config, env);
  const credential = await credentialFor(config, env);
  const scope = scopeFor(endpoint);
  const caFile = readSetting(spec.tls?.caFile, env);
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = await readFile(resolve(config.baseDir, caFile), "utf8");
    } catch (err) {
      throw new ProviderError(`provider "${config.name}": cannot read tls.caFile ${caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { code: "CA_FILE", retryable: false });
    }
  }
  const timeoutMs = Number(env.VMSYNC_AZURE_REQUEST_TIMEOUT_MS ?? "") || DEFAULT_REQUEST_TIMEOUT_MS;
  const agent = new Agent({ keepAlive: true, ...(ca ? { secureContext: contextTrusting(ca) } : {}) });
  const policy = requestPolicy(config.name, pacerFor(endpoint, subscriptionId, spec.rateLimit), agent, options.onRequest, timeoutMs);
  const common = { endpoint, retryOptions: REQUEST_RETRIES, additionalPolicies: [{ policy, position: "perRetry" as const }] };
  const modular = { ...common, credentials: { scopes: [scope] } };
  const classic = { ...common, credentialScopes: [scope] };
  return {
    subscriptionId,
    endpoint,
    compute: new ComputeManagementClient(credential, subscriptionId, modular),
    storage: lazily(async () => new (await import("@azure/arm-storage")).StorageManagementClient(credential, subscriptionId, modular)),
    network: lazily(async () => new (await import("@azure/arm-network")).NetworkManagementClient(credential, subscriptionId, classic)),
    resources: new ResourceManagementClient(credential, subscriptionId, classic),
    pacing: pollPacing(env),
    agent,
  };
}

/** `make` run once, on the first call; later calls share its promise. */
function lazily<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
