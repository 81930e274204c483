import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { StorageManagementClient } from "@azure/arm-storage";
import { isRestError, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PUBLISHED_API_VERSIONS } from "../../../src/sim/azure/published-api-versions.js";
import { simClientOptions, staticTokenCredential } from "../../../src/sim/azure/index.js";
import { fast, startEnv, vmSpec, type AzureEnv } from "./helpers.js";

/**
 * Real SDK clients pinned to older api-versions, as SDKs and CLIs still in wide use send them. The
 * storage client takes its `apiVersion` option; the installed compute (24.x, modular) and network
 * (36.x, classic) clients have no client-level api-version, so a pipeline policy pins it on every
 * request — the same rewrite the classic clients' own `addCustomApiVersionPolicy` does: Microsoft.Compute 2022-08-01, Microsoft.Network 2022-07-01,
 * Microsoft.Storage 2022-09-01 — accepted like real ARM, with the shapes of that version; a
 * version ARM never published is refused with ARM's error, listing the published ones.
 */
let env: AzureEnv;
const sent: string[] = [];
const recorder: PipelinePolicy = { name: "record-api-version", sendRequest: (req, next) => (sent.push(new URL(req.url).searchParams.get("api-version") ?? ""), next(req)) };

/** Sets `api-version` on every request of a client: `version`, or `disks` for Microsoft.Compute disks and snapshots (their own versions). */
function pin(version: string, disks = version): PipelinePolicy {
  return {
    name: "pin-api-version",
    sendRequest: (req, next) => {
      const url = new URL(req.url);
      if (url.searchParams.has("api-version")) url.searchParams.set("api-version", /\/Microsoft\.Compute\/(disks|snapshots)\//i.test(url.pathname) ? disks : version);
      req.url = url.toString();
      return next(req);
    },
  };
}

function clients(versions: { compute: string; disks?: string; network: string; storage: string }) {
  const cred = staticTokenCredential(env.sim.credentials.token);
  const o = simClientOptions(env.sim);
  const sub = env.sim.credentials.subscriptionId;
  const compute = new ComputeManagementClient(cred, sub, o.modular);
  const network = new NetworkManagementClient(cred, sub, o.classic);
  const storage = new StorageManagementClient(cred, sub, { ...o.modular, apiVersion: versions.storage });
  compute.pipeline.addPolicy(pin(versions.compute, versions.disks));
  network.pipeline.addPolicy(pin(versions.network));
  for (const c of [compute, network, storage]) c.pipeline.addPolicy(recorder);
  return { compute, network, storage };
}

beforeAll(async () => {
  env = await startEnv();
  await env.resources.resourceGroups.createOrUpdate("rg-old", { location: "eastus" });
});
afterAll(async () => env.close());

describe("older api-versions (real SDK clients pinned with apiVersion)", () => {
  test("Network 2022-07-01, Compute 2022-08-01 and Storage 2022-09-01 create, read and list as with the current versions", async () => {
    // what @azure/arm-compute 19.x sends: 2022-08-01 for VMs, 2022-07-02 for disks
    const { compute, network, storage } = clients({ compute: "2022-08-01", disks: "2022-07-02", network: "2022-07-01", storage: "2022-09-01" });
    sent.length = 0;
    const vnet = await network.virtualNetworks.beginCreateOrUpdateAndWait("rg-old", "vnet-old", {
      location: "eastus", addressSpace: { addressPrefixes: ["10.1.0.0/16"] }, subnets: [{ name: "default", addressPrefix: "10.1.1.0/24", serviceEndpoints: [{ service: "Microsoft.Storage" }] }],
    }, fast);
    const pip = await network.publicIPAddresses.beginCreateOrUpdateAndWait("rg-old", "pip-old", { location: "eastus", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, fast);
    const nic = await network.networkInterfaces.beginCreateOrUpdateAndWait("rg-old", "nic-old", { location: "eastus", ipConfigurations: [{ name: "ipconfig1", subnet: { id: vnet.subnets![0]!.id! }, publicIPAddress: { id: pip.id! } }] }, fast);
    const vm = await compute.virtualMachines.createOrUpdate("rg-old", "vm-old", vmSpec(nic.id!), fast);
    expect(vm).toMatchObject({ name: "vm-old", provisioningState: "Succeeded" });
    expect(vm.timeCreated).toBeInstanceOf(Date); // 2022-08-01 has it (since 2021-11-01)
    const listed = [];
    for await (const v of compute.virtualMachines.list("rg-old")) listed.push(v.name);
    expect(listed).toEqual(["vm-old"]);
    expect((await compute.disks.get("rg-old", vm.storageProfile!.osDisk!.managedDisk!.id!.split("/").pop()!)).diskSizeGB).toBe(64);
    const account = await storage.storageAccounts.create("rg-old", "oldfiles01", { location: "eastus", kind: "FileStorage", sku: { name: "Premium_LRS" }, enableHttpsTrafficOnly: false }, fast);
    expect(account.kind).toBe("FileStorage");
    const share = await storage.fileShares.create("rg-old", "oldfiles01", "home", { enabledProtocols: "NFS", rootSquash: "RootSquash", shareQuota: 100 });
    expect(share).toMatchObject({ enabledProtocols: "NFS", shareQuota: 100 });
    expect(new Set(sent.filter(Boolean))).toEqual(new Set(["2022-07-01", "2022-08-01", "2022-07-02", "2022-09-01"]));
  });

  test("a response has the shape of the version asked for: before 2021-11-01 a VM has no timeCreated, before 2021-03-01 no userData", async () => {
    const old = clients({ compute: "2021-04-01", network: "2022-07-01", storage: "2022-09-01" }).compute;
    const vm = await old.virtualMachines.get("rg-old", "vm-old");
    expect(vm.provisioningState).toBe("Succeeded");
    expect(vm.timeCreated).toBeUndefined();
    const older = clients({ compute: "2020-12-01", network: "2022-07-01", storage: "2022-09-01" }).compute;
    await older.virtualMachines.update("rg-old", "vm-old", { userData: Buffer.from("hello").toString("base64") }, fast).catch(() => undefined);
    expect((await older.virtualMachines.get("rg-old", "vm-old", { expand: "userData" })).userData).toBeUndefined();
    expect((await env.compute.virtualMachines.get("rg-old", "vm-old", { expand: "userData" })).timeCreated).toBeInstanceOf(Date);
  });

  test("every published version of each served type is accepted; others are refused with ARM's error", async () => {
    expect(PUBLISHED_API_VERSIONS["microsoft.compute/virtualmachines"]).toContain("2022-08-01");
    expect(PUBLISHED_API_VERSIONS["microsoft.network/networkinterfaces"]).toContain("2022-07-01");
    expect(PUBLISHED_API_VERSIONS["microsoft.storage/storageaccounts"]).toContain("2022-09-01");
    for (const v of PUBLISHED_API_VERSIONS["microsoft.network/virtualnetworks"]!) {
      const vnet = await clients({ compute: "2022-08-01", network: v, storage: "2022-09-01" }).network.virtualNetworks.get("rg-old", "vnet-old");
      expect(vnet.name, v).toBe("vnet-old");
    }
    const bogus = clients({ compute: "2022-08-15", network: "2022-07-01", storage: "2018-11-01" });
    const err = await bogus.compute.virtualMachines.get("rg-old", "vm-old").catch((e: unknown) => e);
    expect(isRestError(err) && err.statusCode).toBe(400);
    expect((err as { code?: string }).code).toBe("NoRegisteredProviderFound");
    expect((err as Error).message).toMatch(/API version '2022-08-15' for type 'virtualMachines'.*2022-08-01/);
    // file shares came to Microsoft.Storage in 2019-04-01: an older version does not know them
    const shares = await bogus.storage.fileShares.get("rg-old", "oldfiles01", "home").catch((e: unknown) => e);
    expect((shares as { code?: string }).code).toBe("NoRegisteredProviderFound");
    expect((await bogus.storage.storageAccounts.getProperties("rg-old", "oldfiles01")).name).toBe("oldfiles01");
  });
});
