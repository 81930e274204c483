import { isRestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNetwork, createNic, fast, powerState, startEnv, vmSpec, type AzureEnv } from "./helpers.js";

let env: AzureEnv;
let subnet: string;
beforeAll(async () => {
  env = await startEnv({ pageSize: 2 });
  subnet = await createNetwork(env, "rg");
});
afterAll(async () => env.close());

describe("virtual machines (modular ComputeManagementClient)", () => {
  test("create: 201 Creating → Azure-AsyncOperation polling → Succeeded and running", async () => {
    const nic = await createNic(env, "rg", "nic-a", subnet);
    env.sim.setKnobs({ taskDurationMs: 80 });
    const poller = env.compute.virtualMachines.createOrUpdate("rg", "vm-a", vmSpec(nic), fast);
    await poller.submitted();
    const during = await env.compute.virtualMachines.get("rg", "vm-a", { expand: "instanceView" });
    expect(during.provisioningState).toBe("Creating");
    expect(powerState(during.instanceView)).toBe("PowerState/starting");
    const vm = await poller;
    env.sim.setKnobs({ taskDurationMs: 15 });
    expect(vm).toMatchObject({ name: "vm-a", type: "Microsoft.Compute/virtualMachines", location: "eastus", provisioningState: "Succeeded", tags: { "vmsync.io/stack": "test" } });
    expect(vm.hardwareProfile?.vmSize).toBe("Standard_B2s");
    expect(vm.osProfile?.customData).toBeUndefined();
    expect(vm.osProfile?.adminPassword).toBeUndefined();
    expect(vm.timeCreated).toBeInstanceOf(Date);
    const osDiskId = vm.storageProfile?.osDisk?.managedDisk?.id;
    expect(osDiskId).toMatch(/\/providers\/Microsoft\.Compute\/disks\/vm-a_OsDisk_1_/);
    const disk = await env.compute.disks.get("rg", osDiskId!.split("/").pop()!);
    expect(disk).toMatchObject({ managedBy: vm.id, diskSizeGB: 64, diskState: "Attached", osType: "Linux" });
    const nicNow = await env.network.networkInterfaces.get("rg", "nic-a");
    expect(nicNow.virtualMachine?.id).toBe(vm.id);
    const view = await env.compute.virtualMachines.instanceView("rg", "vm-a");
    expect(view.statuses?.map((s) => s.code)).toEqual(["ProvisioningState/succeeded", "PowerState/running"]);
  });

  test("GET of a missing VM: 404 ResourceNotFound with ARM's message", async () => {
    try {
      await env.compute.virtualMachines.get("rg", "ghost");
      expect.unreachable();
    } catch (err) {
      expect(isRestError(err)).toBe(true);
      expect(err).toMatchObject({
        statusCode: 404,
        code: "ResourceNotFound",
        message: "The Resource 'Microsoft.Compute/virtualMachines/ghost' under resource group 'rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
      });
    }
  });

  test("list per group and per subscription page with nextLink; statusOnly / $expand give power states", async () => {
    for (const n of ["vm-b", "vm-c"]) await env.compute.virtualMachines.createOrUpdate("rg", n, vmSpec(await createNic(env, "rg", `nic-${n}`, subnet)), fast);
    const sizes: number[] = [];
    for await (const page of env.compute.virtualMachines.list("rg").byPage()) sizes.push(page.length);
    expect(sizes).toEqual([2, 1]);
    const all = [];
    for await (const vm of env.compute.virtualMachines.listAll({ statusOnly: "true" })) all.push(vm);
    expect(all.map((v) => v.name)).toEqual(["vm-a", "vm-b", "vm-c"]);
    expect(all.every((v) => powerState(v.instanceView) === "PowerState/running")).toBe(true);
    const expanded = [];
    for await (const vm of env.compute.virtualMachines.list("rg", { expand: "instanceView" })) expanded.push(vm);
    expect(powerState(expanded[0]?.instanceView)).toBe("PowerState/running");
    const plain = [];
    for await (const vm of env.compute.virtualMachines.list("rg")) plain.push(vm);
    expect(plain[0]?.instanceView).toBeUndefined();
  });

  test("PATCH tags (replace-all) and a GET → PUT round trip are accepted in place", async () => {
    const patched = await env.compute.virtualMachines.update("rg", "vm-b", { tags: { only: "this" } }, fast);
    expect(patched.tags).toEqual({ only: "this" });
    expect(patched.provisioningState).toBe("Succeeded");
    const current = await env.compute.virtualMachines.get("rg", "vm-b");
    const put = await env.compute.virtualMachines.createOrUpdate("rg", "vm-b", { ...current, tags: { ...current.tags, extra: "1" } }, fast);
    expect(put.tags).toEqual({ only: "this", extra: "1" });
  });

  test("userData is returned only with $expand=userData", async () => {
    const ud = Buffer.from("hello").toString("base64");
    await env.compute.virtualMachines.update("rg", "vm-c", { userData: ud }, fast);
    expect((await env.compute.virtualMachines.get("rg", "vm-c")).userData).toBeUndefined();
    expect((await env.compute.virtualMachines.get("rg", "vm-c", { expand: "userData" })).userData).toBe(ud);
  });

  test("delete: 202 LRO; OS disk and NIC follow deleteOption; VM then 404", async () => {
    const vm = await env.compute.virtualMachines.get("rg", "vm-c");
    const osDisk = vm.storageProfile!.osDisk!.managedDisk!.id!.split("/").pop()!;
    await env.compute.virtualMachines.delete("rg", "vm-c", fast);
    await expect(env.compute.virtualMachines.get("rg", "vm-c")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    await expect(env.compute.disks.get("rg", osDisk)).rejects.toMatchObject({ statusCode: 404 });
    await expect(env.network.networkInterfaces.get("rg", "nic-vm-c")).rejects.toMatchObject({ statusCode: 404 });
    await env.compute.virtualMachines.delete("rg", "vm-c", fast); // already gone: 204, still succeeds
  });

  test("a NIC that does not exist: 400 InvalidResourceReference; a NIC of another VM: 400 NicInUse", async () => {
    const missing = `/subscriptions/${env.sub}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/none`;
    await expect(env.compute.virtualMachines.createOrUpdate("rg", "vm-x", vmSpec(missing), fast)).rejects.toMatchObject({ statusCode: 400, code: "InvalidResourceReference" });
    const used = (await env.network.networkInterfaces.get("rg", "nic-a")).id!;
    await expect(env.compute.virtualMachines.createOrUpdate("rg", "vm-x", vmSpec(used), fast)).rejects.toMatchObject({ statusCode: 400, code: "NicInUse" });
    await expect(env.compute.virtualMachines.createOrUpdate("rg", "vm-x", vmSpec(used, { hardwareProfile: { vmSize: "Standard_Z99" } }), fast)).rejects.toMatchObject({ statusCode: 400, code: "InvalidParameter" });
  });
});
