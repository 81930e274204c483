import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNetwork, createNic, fast, startEnv, vmSpec, type AzureEnv } from "./helpers.js";

let env: AzureEnv;
let osDiskId: string;
beforeAll(async () => {
  env = await startEnv({ pageSize: 1 });
  const subnet = await createNetwork(env, "rg");
  const vm = await env.compute.virtualMachines.createOrUpdate("rg", "vm1", vmSpec(await createNic(env, "rg", "nic1", subnet)), fast);
  osDiskId = vm.storageProfile!.osDisk!.managedDisk!.id!;
});
afterAll(async () => env.close());

describe("managed disks", () => {
  test("create empty, grow while unattached, attach to a VM, delete refused while attached", async () => {
    const disk = await env.compute.disks.createOrUpdate("rg", "data1", { location: "eastus", sku: { name: "Premium_LRS" }, creationData: { createOption: "Empty" }, diskSizeGB: 32 }, fast);
    expect(disk).toMatchObject({ name: "data1", diskSizeGB: 32, diskState: "Unattached", provisioningState: "Succeeded", sku: { name: "Premium_LRS", tier: "Premium" } });
    const grown = await env.compute.disks.update("rg", "data1", { diskSizeGB: 64 }, fast);
    expect(grown.diskSizeGB).toBe(64);
    await expect(env.compute.disks.update("rg", "data1", { diskSizeGB: 16 }, fast)).rejects.toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    const vm = await env.compute.virtualMachines.update("rg", "vm1", { storageProfile: { dataDisks: [{ lun: 0, createOption: "Attach", managedDisk: { id: disk.id! } }] } }, fast);
    expect(vm.storageProfile?.dataDisks?.[0]).toMatchObject({ lun: 0, name: "data1", createOption: "Attach" });
    expect((await env.compute.disks.get("rg", "data1")).managedBy).toBe(vm.id);
    await expect(env.compute.disks.delete("rg", "data1", fast)).rejects.toMatchObject({ statusCode: 409, code: "OperationNotAllowed", message: `Disk data1 is attached to VM ${vm.id}.` });
    await expect(env.compute.disks.update("rg", "data1", { diskSizeGB: 128 }, fast)).rejects.toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    await env.compute.virtualMachines.update("rg", "vm1", { storageProfile: { dataDisks: [] } }, fast);
    expect((await env.compute.disks.get("rg", "data1")).managedBy).toBeUndefined();
    await env.compute.disks.delete("rg", "data1", fast);
    await expect(env.compute.disks.get("rg", "data1")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
  });

  test("list by group pages (page size 1)", async () => {
    await env.compute.disks.createOrUpdate("rg", "data2", { location: "eastus", creationData: { createOption: "Empty" }, diskSizeGB: 8 }, fast);
    const sizes: number[] = [];
    for await (const page of env.compute.disks.listByResourceGroup("rg").byPage()) sizes.push(page.length);
    expect(sizes).toEqual([1, 1]);
  });
});

describe("snapshots", () => {
  test("incremental snapshots of the OS disk share a family id; a disk can be restored from one", async () => {
    const body = { location: "eastus", sku: { name: "Standard_ZRS" }, creationData: { createOption: "Copy", sourceResourceId: osDiskId }, incremental: true, tags: { by: "vmsync" } };
    const s1 = await env.compute.snapshots.createOrUpdate("rg", "snap1", body, fast);
    const s2 = await env.compute.snapshots.createOrUpdate("rg", "snap2", body, fast);
    expect(s1).toMatchObject({ incremental: true, provisioningState: "Succeeded", diskSizeGB: 64, tags: { by: "vmsync" } });
    expect(s1.creationData).toMatchObject({ createOption: "Copy", sourceResourceId: osDiskId });
    expect(s1.creationData?.sourceUniqueId).toBeTruthy();
    expect(s1.incrementalSnapshotFamilyId).toBeTruthy();
    expect(s2.incrementalSnapshotFamilyId).toBe(s1.incrementalSnapshotFamilyId);
    const names = [];
    for await (const s of env.compute.snapshots.listByResourceGroup("rg")) names.push(s.name);
    expect(names).toEqual(["snap1", "snap2"]);
    const restored = await env.compute.disks.createOrUpdate("rg", "restored", { location: "eastus", creationData: { createOption: "Copy", sourceResourceId: s1.id! } }, fast);
    expect(restored.diskSizeGB).toBe(64);
    await env.compute.snapshots.delete("rg", "snap1", fast);
    await expect(env.compute.snapshots.get("rg", "snap1")).rejects.toMatchObject({ statusCode: 404 });
    await env.compute.snapshots.delete("rg", "snap1", fast);
  });

  test("a snapshot of a missing disk is refused", async () => {
    const missing = osDiskId.replace(/[^/]+$/, "none");
    await expect(env.compute.snapshots.createOrUpdate("rg", "bad", { location: "eastus", creationData: { createOption: "Copy", sourceResourceId: missing } }, fast)).rejects.toMatchObject({ statusCode: 404 });
  });
});
