import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNetwork, fast, startEnv, vmSpec, type AzureEnv } from "./helpers.js";

let env: AzureEnv;
let subnet: string;
beforeAll(async () => {
  env = await startEnv();
  subnet = await createNetwork(env, "rg");
});
afterAll(async () => env.close());

describe("virtual networks and subnets (classic NetworkManagementClient)", () => {
  test("vnet GET returns subnets with ids and service endpoints; subnet GET/PUT/list", async () => {
    const vnet = await env.network.virtualNetworks.get("rg", "vnet1");
    expect(vnet).toMatchObject({ name: "vnet1", provisioningState: "Succeeded", addressSpace: { addressPrefixes: ["10.0.0.0/16"] } });
    expect(vnet.etag).toMatch(/^W\/"/);
    expect(vnet.resourceGuid).toBeTruthy();
    expect(vnet.subnets?.[0]).toMatchObject({ id: subnet, name: "default", addressPrefix: "10.0.1.0/24", provisioningState: "Succeeded" });
    expect(vnet.subnets?.[0]?.serviceEndpoints?.[0]).toMatchObject({ service: "Microsoft.Storage", locations: ["eastus"] });
    const added = await env.network.subnets.beginCreateOrUpdateAndWait("rg", "vnet1", "second", { addressPrefix: "10.0.2.0/24" }, fast);
    expect(added).toMatchObject({ name: "second", provisioningState: "Succeeded" });
    expect((await env.network.subnets.get("rg", "vnet1", "second")).addressPrefix).toBe("10.0.2.0/24");
    const names = [];
    for await (const s of env.network.subnets.list("rg", "vnet1")) names.push(s.name);
    expect(names).toEqual(["default", "second"]);
    await env.network.subnets.beginDeleteAndWait("rg", "vnet1", "second", fast);
    await expect(env.network.subnets.get("rg", "vnet1", "second")).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("public IPs and NICs", () => {
  test("NIC with a public IP: private address allocated, PIP linked; in-use deletes are refused", async () => {
    const pip = await env.network.publicIPAddresses.beginCreateOrUpdateAndWait("rg", "pip1", { location: "eastus", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, fast);
    expect(pip.ipAddress).toMatch(/^20\.\d+\.\d+\.\d+$/);
    const nic = await env.network.networkInterfaces.beginCreateOrUpdateAndWait("rg", "nic1", { location: "eastus", ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnet }, publicIPAddress: { id: pip.id! } }] }, fast);
    expect(nic.provisioningState).toBe("Succeeded");
    expect(nic.ipConfigurations?.[0]).toMatchObject({ privateIPAddress: "10.0.1.4", privateIPAllocationMethod: "Dynamic", primary: true });
    expect(nic.ipConfigurations?.[0]?.publicIPAddress?.id).toBe(pip.id);
    expect(nic.macAddress).toMatch(/^00-0D-3A-/);
    const nic2 = await env.network.networkInterfaces.beginCreateOrUpdateAndWait("rg", "nic2", { location: "eastus", ipConfigurations: [{ name: "ipconfig1", subnet: { id: subnet } }] }, fast);
    expect(nic2.ipConfigurations?.[0]?.privateIPAddress).toBe("10.0.1.5");
    expect((await env.network.publicIPAddresses.get("rg", "pip1")).ipConfiguration?.id).toBe(nic.ipConfigurations?.[0]?.id);
    await expect(env.network.publicIPAddresses.beginDeleteAndWait("rg", "pip1", fast)).rejects.toMatchObject({ statusCode: 400, code: "PublicIPAddressCannotBeDeleted" });
    await expect(env.network.networkInterfaces.beginCreateOrUpdateAndWait("rg", "nic3", { location: "eastus", ipConfigurations: [{ name: "c", subnet: { id: subnet }, publicIPAddress: { id: pip.id! } }] }, fast)).rejects.toMatchObject({ statusCode: 400, code: "PublicIPAddressInUse" });
    await expect(env.network.virtualNetworks.beginDeleteAndWait("rg", "vnet1", fast)).rejects.toMatchObject({ statusCode: 400, code: "InUseSubnetCannotBeDeleted" });
    await env.compute.virtualMachines.createOrUpdate("rg", "vm1", vmSpec(nic.id!), fast);
    await expect(env.network.networkInterfaces.beginDeleteAndWait("rg", "nic1", fast)).rejects.toMatchObject({ statusCode: 400, code: "NicInUse" });
  });

  test("a missing subnet or PIP: 400 InvalidResourceReference; Standard + Dynamic refused", async () => {
    await expect(env.network.networkInterfaces.beginCreateOrUpdateAndWait("rg", "bad", { location: "eastus", ipConfigurations: [{ name: "c", subnet: { id: `${subnet}x` } }] }, fast)).rejects.toMatchObject({ statusCode: 400, code: "InvalidResourceReference" });
    await expect(env.network.publicIPAddresses.beginCreateOrUpdateAndWait("rg", "pip2", { location: "eastus", sku: { name: "Standard" }, publicIPAllocationMethod: "Dynamic" }, fast)).rejects.toMatchObject({ statusCode: 400, code: "StandardSkuPublicIPAddressesMustBeStatic" });
  });

  test("deletes: NIC then PIP then vnet, each a 202 LRO; a second delete is a no-op", async () => {
    await env.compute.virtualMachines.delete("rg", "vm1", fast);
    await env.network.networkInterfaces.beginDeleteAndWait("rg", "nic2", fast);
    await expect(env.network.networkInterfaces.get("rg", "nic1")).rejects.toMatchObject({ statusCode: 404 }); // deleteOption Delete
    await env.network.publicIPAddresses.beginDeleteAndWait("rg", "pip1", fast);
    await env.network.virtualNetworks.beginDeleteAndWait("rg", "vnet1", fast);
    await env.network.virtualNetworks.beginDeleteAndWait("rg", "vnet1", fast);
    const left = [];
    for await (const n of env.network.networkInterfaces.listAll()) left.push(n);
    expect(left).toEqual([]);
  });
});
