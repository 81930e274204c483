import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNetwork, createNic, fast, powerState, startEnv, vmSpec, type AzureEnv } from "./helpers.js";

let env: AzureEnv;
let nic: string;
beforeAll(async () => {
  env = await startEnv();
  const subnet = await createNetwork(env, "rg");
  nic = await createNic(env, "rg", "nic1", subnet);
  await env.compute.virtualMachines.createOrUpdate("rg", "vm1", vmSpec(nic), fast);
});
afterAll(async () => env.close());

const power = async (): Promise<string | undefined> => powerState(await env.compute.virtualMachines.instanceView("rg", "vm1"));

describe("power LROs (202 + Azure-AsyncOperation + Location; final GET on the monitor)", () => {
  test("powerOff → stopped, start → running, restart, deallocate → deallocated (disk Reserved)", async () => {
    await env.compute.virtualMachines.powerOff("rg", "vm1", { ...fast, skipShutdown: true });
    expect(await power()).toBe("PowerState/stopped");
    await env.compute.virtualMachines.start("rg", "vm1", fast);
    expect(await power()).toBe("PowerState/running");
    await env.compute.virtualMachines.restart("rg", "vm1", fast);
    expect(await power()).toBe("PowerState/running");
    env.sim.setKnobs({ taskDurationMs: 60 });
    const poller = env.compute.virtualMachines.deallocate("rg", "vm1", fast);
    await poller.submitted();
    expect(await power()).toBe("PowerState/deallocating");
    await poller;
    env.sim.setKnobs({ taskDurationMs: 15 });
    expect(await power()).toBe("PowerState/deallocated");
    const vm = await env.compute.virtualMachines.get("rg", "vm1");
    const disk = await env.compute.disks.get("rg", vm.storageProfile!.osDisk!.managedDisk!.id!.split("/").pop()!);
    expect(disk.diskState).toBe("Reserved");
  });

  test("restart while not running: 409 OperationNotAllowed", async () => {
    await expect(env.compute.virtualMachines.restart("rg", "vm1", fast)).rejects.toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    await env.compute.virtualMachines.start("rg", "vm1", fast);
  });

  test("a write while another operation runs: 409 Conflict", async () => {
    env.sim.setKnobs({ taskDurationMs: 150 });
    const poller = env.compute.virtualMachines.powerOff("rg", "vm1", fast);
    await poller.submitted();
    await expect(env.compute.virtualMachines.start("rg", "vm1", fast)).rejects.toMatchObject({ statusCode: 409, code: "Conflict" });
    await expect(env.compute.virtualMachines.update("rg", "vm1", { tags: { a: "b" } }, fast)).rejects.toMatchObject({ statusCode: 409, code: "Conflict" });
    await poller;
    env.sim.setKnobs({ taskDurationMs: 15 });
    await env.compute.virtualMachines.start("rg", "vm1", fast);
  });
});

describe("what cannot change (reference §8)", () => {
  test.each([
    ["customData", { osProfile: { computerName: "vm1", adminUsername: "azureuser", customData: Buffer.from("other").toString("base64") } }],
    ["computerName", { osProfile: { computerName: "other" } }],
    ["linuxConfiguration.ssh.publicKeys", { osProfile: { linuxConfiguration: { ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: "ssh-ed25519 BBBB other" }] } } } }],
    ["linuxConfiguration.disablePasswordAuthentication", { osProfile: { linuxConfiguration: { disablePasswordAuthentication: false } } }],
    ["imageReference", { storageProfile: { imageReference: { publisher: "Canonical", offer: "ubuntu-22_04-lts", sku: "server", version: "latest" } } }],
  ])("PATCH changing %s → 409 PropertyChangeNotAllowed", async (property, patch) => {
    await expect(env.compute.virtualMachines.update("rg", "vm1", patch, fast)).rejects.toMatchObject({
      statusCode: 409,
      code: "PropertyChangeNotAllowed",
      message: `Changing property '${property}' is not allowed.`,
    });
  });

  test("a PUT without osProfile → 409 PropertyChangeNotAllowed 'osProfile'", async () => {
    const { osProfile: _drop, ...rest } = vmSpec(nic);
    await expect(env.compute.virtualMachines.createOrUpdate("rg", "vm1", rest, fast)).rejects.toMatchObject({ statusCode: 409, code: "PropertyChangeNotAllowed", message: "Changing property 'osProfile' is not allowed." });
  });

  test("resize: within the hardware cluster in place; across clusters refused while allocated, fine when deallocated", async () => {
    const inPlace = await env.compute.virtualMachines.update("rg", "vm1", { hardwareProfile: { vmSize: "Standard_B4ms" } }, fast);
    expect(inPlace.hardwareProfile?.vmSize).toBe("Standard_B4ms");
    expect(await power()).toBe("PowerState/running");
    const sizes = [];
    for await (const s of env.compute.virtualMachines.listAvailableSizes("rg", "vm1")) sizes.push(s.name);
    expect(sizes).toContain("Standard_B2s");
    expect(sizes).not.toContain("Standard_D2s_v5");
    try {
      await env.compute.virtualMachines.update("rg", "vm1", { hardwareProfile: { vmSize: "Standard_D2s_v5" } }, fast);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
      expect((err as Error).message).toMatch(/^Unable to resize the VM 'vm1' because the requested size Standard_D2s_v5 is not available in the current hardware cluster\. The available sizes in this cluster are: Standard_B1s, .*https:\/\/aka\.ms\/azure-resizevm\.$/);
    }
    await env.compute.virtualMachines.deallocate("rg", "vm1", fast);
    const resized = await env.compute.virtualMachines.update("rg", "vm1", { hardwareProfile: { vmSize: "Standard_D2s_v5" } }, fast);
    expect(resized.hardwareProfile?.vmSize).toBe("Standard_D2s_v5");
    await env.compute.virtualMachines.start("rg", "vm1", fast);
  });

  test("OS disk: growing while running → 409 OperationNotAllowed (innererror ChangeDiskSizeWhileAttachedNotAllowed); fine when deallocated", async () => {
    const err = await env.compute.virtualMachines.update("rg", "vm1", { storageProfile: { osDisk: { createOption: "FromImage", diskSizeGB: 128 } } }, fast).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    expect((err as Error).message).toMatch(/^Cannot resize disk .* while it is attached to running VM /);
    await env.compute.virtualMachines.deallocate("rg", "vm1", fast);
    const vm = await env.compute.virtualMachines.update("rg", "vm1", { storageProfile: { osDisk: { createOption: "FromImage", diskSizeGB: 128 } } }, fast);
    expect(vm.storageProfile?.osDisk?.diskSizeGB).toBe(128);
    const disk = await env.compute.disks.get("rg", vm.storageProfile!.osDisk!.managedDisk!.id!.split("/").pop()!);
    expect(disk.diskSizeGB).toBe(128);
    await env.compute.virtualMachines.start("rg", "vm1", fast);
  });
});
