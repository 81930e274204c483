import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DesiredProvider, DesiredResource } from "../../../src/manifest/model.js";
import type { NfsShareSpec, VirtualMachineSpec } from "../../../src/manifest/schema/index.js";
import type { ConnectOptions, CreateRequest, OperationContext, ProviderSession } from "../../../src/providers/contract.js";
import { azureProvider } from "../../../src/providers/azure/index.js";
import { startAzureSim, type AzureSimHandle, type AzureSimKnobs } from "../../../src/sim/azure/index.js";
import { clientsFor } from "../sim-azure/helpers.js";

/** One request as `onRequest` reported it. */
export type RequestInfo = Parameters<NonNullable<ConnectOptions["onRequest"]>>[0];

/** A simulator, a provider config pointing at it, and a connected session that records its requests. */
export interface AzureTestEnv {
  dir: string;
  sim: AzureSimHandle;
  config: DesiredProvider;
  session: ProviderSession;
  requests: RequestInfo[];
  env: NodeJS.ProcessEnv;
  sdk: ReturnType<typeof clientsFor>;
  close(): Promise<void>;
}

export const STACK = "test";
export const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAzureTestKeyAzureTestKeyAzureTestKeyAzureTe test@vmsync";

/** The Provider config (as the loader gives it) for a simulator: endpoint, CA file, static token from {env}, subscription from {env}. */
export function providerConfig(sim: AzureSimHandle, dir: string, defaults: Record<string, string> = {}): DesiredProvider {
  return {
    name: "az",
    spec: {
      type: "azure", endpoint: sim.endpoint, subscriptionId: { env: "AZ_SUB" }, auth: { type: "static-token", token: { env: "AZ_TOKEN" } },
      tls: { caFile: sim.caFile }, rateLimit: 1000,
      defaults: { resourceGroup: "rg-test", location: "eastus", vnet: "vnet-test", subnet: "default", ...defaults },
    },
    source: { file: "providers.yaml", line: 1, column: 1 }, baseDir: dir, root: dir,
  };
}

/** Starts a simulator (short LROs) and connects the provider to it. */
export async function startTestEnv(knobs: Partial<AzureSimKnobs> = {}, defaults: Record<string, string> = {}): Promise<AzureTestEnv> {
  const dir = await mkdtemp(join(tmpdir(), "vmsync-az-"));
  const sim = await startAzureSim({ dir, knobs: { taskDurationMs: 15, ...knobs } });
  const config = providerConfig(sim, dir, defaults);
  const requests: RequestInfo[] = [];
  const env = { ...process.env, AZ_SUB: sim.credentials.subscriptionId, AZ_TOKEN: sim.credentials.token, VMSYNC_AZURE_POLL_MS: "5" };
  const session = await azureProvider.connect(config, { stack: STACK, env, onRequest: (r) => requests.push(r) });
  return {
    dir, sim, config, session, requests, env, sdk: clientsFor(sim),
    async close() {
      await session.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An operation context with a generous deadline. */
export function opCtx(): OperationContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 60_000 };
}

const lifecycle = { protect: false, ignoreChanges: [], updatePolicy: "in-place-only" as const, suspend: false };
const source = { file: "vms.yaml", line: 1, column: 1 };

/** A desired Azure VM as the loader resolves it (provider defaults applied). */
export function vmResource(name: string, over: Partial<VirtualMachineSpec> = {}): DesiredResource<"VirtualMachine"> {
  const spec: VirtualMachineSpec = {
    provider: "az", size: "Standard_B2s", location: "eastus", resourceGroup: "rg-test", power: "running", memory: "4GiB",
    image: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
    disks: [{ size: "64GiB", type: "Premium_LRS" }],
    networks: [{ subnet: "default" }],
    cloudInit: { user: "azureuser", sshKeys: [SSH_KEY], packages: ["git"] },
    tags: { role: "web" },
    ...over,
  };
  return { address: `VirtualMachine/${name}`, kind: "VirtualMachine", name, externalName: name, provider: "az", labels: {}, spec, lifecycle, dependsOn: [], source };
}

/** A desired Azure NFS share. */
export function shareResource(name: string, over: Partial<NfsShareSpec> = {}): DesiredResource<"NfsShare"> {
  const spec: NfsShareSpec = { provider: "az", size: "100GiB", rootSquash: true, azure: { storageAccount: "vmsynctestfiles", subnets: ["default"] }, ...over };
  return { address: `NfsShare/${name}`, kind: "NfsShare", name, externalName: name, provider: "az", labels: {}, spec, lifecycle, dependsOn: [], source };
}

/** The create request the executor would send for a desired resource. */
export function createRequest(env: AzureTestEnv, r: DesiredResource): CreateRequest {
  return { address: r.address, kind: r.kind, name: r.externalName ?? r.name, spec: azureProvider.canonicalize(r, env.config), marker: { stack: STACK, address: r.address } };
}

/** Observes with the scope the CLI builds (kinds, state ids, names). */
export function observeAll(env: AzureTestEnv, externalIds: string[] = [], names: string[] = []) {
  return env.session.observe({ kinds: ["VmTemplate", "VirtualMachine", "NfsShare", "SnapshotSchedule"], externalIds, names });
}
