import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ComputeManagementClient, type VirtualMachine } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import { StorageManagementClient } from "@azure/arm-storage";
import { simClientOptions, startAzureSim, staticTokenCredential, type AzureSimHandle, type AzureSimKnobs, type SimRetryOptions } from "../../../src/sim/azure/index.js";

/** A started simulator with the four real SDK clients pointed at it. */
export interface AzureEnv {
  dir: string;
  sim: AzureSimHandle;
  sub: string;
  compute: ComputeManagementClient;
  storage: StorageManagementClient;
  network: NetworkManagementClient;
  resources: ResourceManagementClient;
  close(keepDir?: boolean): Promise<void>;
}

/** Fast polling for every LRO in tests. */
export const fast = { updateIntervalInMs: 5 } as const;

/** Clients for an already started simulator. */
export function clientsFor(sim: AzureSimHandle, retry?: SimRetryOptions): Pick<AzureEnv, "compute" | "storage" | "network" | "resources" | "sub"> {
  const cred = staticTokenCredential(sim.credentials.token);
  const o = simClientOptions(sim, retry);
  const sub = sim.credentials.subscriptionId;
  return {
    sub,
    compute: new ComputeManagementClient(cred, sub, o.modular),
    storage: new StorageManagementClient(cred, sub, o.modular),
    network: new NetworkManagementClient(cred, sub, o.classic),
    resources: new ResourceManagementClient(cred, sub, o.classic),
  };
}

/** Starts a simulator in a fresh temp dir (or `dir`) with short LROs and builds the clients. */
export async function startEnv(knobs: Partial<AzureSimKnobs> = {}, opts: { dir?: string; retry?: SimRetryOptions } = {}): Promise<AzureEnv> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "azsim-")));
  const sim = await startAzureSim({ dir, knobs: { taskDurationMs: 15, ...knobs } });
  return {
    dir,
    sim,
    ...clientsFor(sim, opts.retry),
    async close(keepDir = false) {
      await sim.close();
      if (!keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a resource group, a vnet with subnet `default` (with the Microsoft.Storage endpoint) and returns the subnet id. */
export async function createNetwork(env: AzureEnv, rg: string, location = "eastus"): Promise<string> {
  await env.resources.resourceGroups.createOrUpdate(rg, { location });
  const vnet = await env.network.virtualNetworks.beginCreateOrUpdateAndWait(
    rg,
    "vnet1",
    { location, addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "default", addressPrefix: "10.0.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] }] },
    fast,
  );
  return vnet.subnets![0]!.id!;
}

/** Creates a NIC in the subnet and returns its id. */
export async function createNic(env: AzureEnv, rg: string, name: string, subnetId: string, location = "eastus"): Promise<string> {
  const nic = await env.network.networkInterfaces.beginCreateOrUpdateAndWait(rg, name, { location, ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnetId } }] }, fast);
  return nic.id!;
}

/** A VM definition as vmsync would send it. */
export function vmSpec(nicId: string, overrides: Partial<VirtualMachine> = {}): VirtualMachine {
  return {
    location: "eastus",
    tags: { "vmsync.io/stack": "test" },
    hardwareProfile: { vmSize: "Standard_B2s" },
    storageProfile: {
      imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: { createOption: "FromImage", diskSizeGB: 64, managedDisk: { storageAccountType: "Premium_LRS" }, deleteOption: "Delete" },
    },
    osProfile: {
      computerName: "vm1",
      adminUsername: "azureuser",
      customData: Buffer.from("#cloud-config\n").toString("base64"),
      linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: "ssh-ed25519 AAAA test" }] } },
    },
    networkProfile: { networkInterfaces: [{ id: nicId, primary: true, deleteOption: "Delete" }] },
    ...overrides,
  };
}

/** The `PowerState/...` code of an instance view. */
export function powerState(view: { statuses?: Array<{ code?: string }> } | undefined): string | undefined {
  return view?.statuses?.find((s) => s.code?.startsWith("PowerState/"))?.code;
}
