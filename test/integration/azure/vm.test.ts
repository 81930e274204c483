import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { azureProvider } from "../../../src/providers/azure/index.js";
import type { ObservedResource } from "../../../src/providers/contract.js";
import { createRequest, observeAll, opCtx, SSH_KEY, startTestEnv, STACK, vmResource, type AzureTestEnv } from "./helpers.js";

let env: AzureTestEnv;
beforeAll(async () => { env = await startTestEnv({ pageSize: 1 }); });
afterAll(async () => env.close());

const ctx = opCtx;
const desiredOf = (r: ReturnType<typeof vmResource>) => azureProvider.canonicalize(r, env.config);
async function apply(r: ReturnType<typeof vmResource>, observed: ObservedResource) {
  const desired = desiredOf(r);
  const changes = azureProvider.diff("VirtualMachine", desired, observed.spec);
  const after = await env.session.update({ address: r.address, kind: "VirtualMachine", externalId: observed.externalId, spec: desired, changes, marker: { stack: STACK, address: r.address } }, ctx());
  return { changes, after };
}
const pathsOf = (from: number) => env.requests.slice(from).map((q) => `${q.method} ${q.path}`);

describe("VirtualMachine on Azure", () => {
  let vm1: ObservedResource;

  test("create makes the group, VNet/subnet (Microsoft.Storage endpoint), public IP, NIC and OS disk, all marked", async () => {
    const r = vmResource("vm-1", { networks: [{ subnet: "default", publicIp: true }] });
    vm1 = await env.session.create(createRequest(env, r), ctx());
    expect(vm1.marker).toEqual({ stack: STACK, address: "VirtualMachine/vm-1" });
    expect(azureProvider.diff("VirtualMachine", desiredOf(r), vm1.spec)).toEqual([]);
    const { compute, network, resources } = env.sdk;
    expect((await resources.resourceGroups.get("rg-test")).tags).toMatchObject({ "vmsync-stack": STACK });
    const subnet = await network.subnets.get("rg-test", "vnet-test", "default");
    expect(subnet.serviceEndpoints?.map((s) => s.service)).toEqual(["Microsoft.Storage"]);
    const nic = await network.networkInterfaces.get("rg-test", "vm-1-nic");
    expect(nic.tags).toMatchObject({ "vmsync-stack": STACK, "vmsync-address": "VirtualMachine/vm-1" });
    expect(nic.ipConfigurations?.[0]?.subnet?.id).toBe(subnet.id);
    const pip = await network.publicIPAddresses.get("rg-test", "vm-1-pip");
    expect(pip.tags).toMatchObject({ "vmsync-address": "VirtualMachine/vm-1" });
    const vm = await compute.virtualMachines.get("rg-test", "vm-1");
    expect(vm.tags).toMatchObject({ role: "web", "vmsync-tags": "role", "vmsync-stack": STACK, "vmsync-address": "VirtualMachine/vm-1" });
    expect(vm.tags?.["vmsync-cloudinit"]).toMatch(/^[0-9a-f]{32}$/);
    expect(vm.osProfile?.linuxConfiguration?.ssh?.publicKeys?.[0]?.keyData).toBe(SSH_KEY);
    expect(vm.storageProfile?.osDisk).toMatchObject({ name: "vm-1-osdisk", diskSizeGB: 64, deleteOption: "Delete" });
  });

  test("a retried create adopts the VM it already made (no duplicate, no second PUT)", async () => {
    const r = vmResource("vm-1", { networks: [{ subnet: "default", publicIp: true }] });
    const from = env.requests.length;
    const again = await env.session.create(createRequest(env, r), ctx());
    expect(again.externalId).toBe(vm1.externalId);
    expect(pathsOf(from).filter((p) => p.startsWith("PUT") && p.includes("virtualMachines"))).toEqual([]);
  });

  test("observe: one paged list call per collection (page size 1), power states from one statusOnly list, no per-VM reads", async () => {
    await env.session.create(createRequest(env, vmResource("vm-2")), ctx());
    await env.session.create(createRequest(env, vmResource("vm-3", { power: "stopped" })), ctx());
    const from = env.requests.length;
    const seen = await observeAll(env);
    const vms = seen.filter((o) => o.kind === "VirtualMachine");
    expect(vms.map((o) => o.name)).toEqual(["vm-1", "vm-2", "vm-3"]);
    expect(vms.map((o) => o.spec.power)).toEqual(["running", "running", "stopped"]);
    const paths = pathsOf(from).filter((p) => p.startsWith("GET"));
    const count = (re: RegExp) => paths.filter((p) => re.test(p)).length;
    // three VMs at one per page = three pages of the group's list, and of the subscription's statusOnly list
    expect(count(/resourceGroups\/rg-test\/providers\/Microsoft\.Compute\/virtualMachines$/)).toBe(3);
    expect(count(/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines$/)).toBe(3);
    expect(count(/networkInterfaces$/)).toBe(3);
    expect(count(/publicIPAddresses$/)).toBe(1);
    expect(count(/Microsoft\.Compute\/disks$/)).toBe(3);
    expect(count(/virtualMachines\/vm-/)).toBe(0);
    expect(count(/networkInterfaces\/|disks\//)).toBe(0);
    for (const o of vms) expect(azureProvider.diff("VirtualMachine", desiredOf(vmResource(o.name, o.name === "vm-1" ? { networks: [{ subnet: "default", publicIp: true }] } : o.name === "vm-3" ? { power: "stopped" } : {})), o.spec)).toEqual([]);
  });

  test("power: running → deallocated → stopped → running, in place", async () => {
    const r = vmResource("vm-2", { power: "deallocated" });
    const vm2 = (await observeAll(env)).find((o) => o.name === "vm-2")!;
    const a = await apply(r, vm2);
    expect(a.changes.map((c) => [c.path, c.effect])).toEqual([["power", "in-place"]]);
    expect(a.after.spec.power).toBe("deallocated");
    expect((await observeAll(env)).find((o) => o.name === "vm-2")!.spec.power).toBe("deallocated");
    const b = await apply(vmResource("vm-2", { power: "stopped" }), a.after);
    expect(b.after.spec.power).toBe("stopped");
    const c = await apply(vmResource("vm-2"), b.after);
    expect(c.after.spec.power).toBe("running");
  });

  test("resize within the series: PATCH while running (vmSizes says the hardware offers it), no deallocation", async () => {
    const r = vmResource("vm-2", { size: "Standard_B4ms" });
    const before = (await observeAll(env)).find((o) => o.name === "vm-2")!;
    const from = env.requests.length;
    const { changes, after } = await apply(r, before);
    expect(changes).toMatchObject([{ path: "size", before: "Standard_B2s", after: "Standard_B4ms", effect: "restart" }]);
    expect(changes[0]!.note).toMatch(/within the Standard_B2s family/);
    expect(pathsOf(from).some((p) => p.endsWith("/vmSizes"))).toBe(true);
    expect(pathsOf(from).some((p) => p.endsWith("/deallocate"))).toBe(false);
    expect(after.spec).toMatchObject({ size: "Standard_B4ms", power: "running" });
  });

  test("resize across series: the note says deallocation; vmsync deallocates, resizes and starts again", async () => {
    const r = vmResource("vm-2", { size: "Standard_D2s_v5" });
    const before = (await observeAll(env)).find((o) => o.name === "vm-2")!;
    const from = env.requests.length;
    const { changes, after } = await apply(r, before);
    expect(changes).toMatchObject([{ path: "size", effect: "restart" }]);
    expect(changes[0]!.note).toMatch(/needs deallocation/);
    const posts = pathsOf(from).filter((p) => p.startsWith("POST")).map((p) => p.split("/").pop());
    expect(posts).toEqual(["deallocate", "start"]);
    expect(after.spec).toMatchObject({ size: "Standard_D2s_v5", power: "running" });
  });

  test("immutable fields classify as replace: image, admin user, SSH keys, cloud-init, location, network", async () => {
    const observed = (await observeAll(env)).find((o) => o.name === "vm-2")!;
    const base = { size: "Standard_D2s_v5" };
    const cases: Array<[string, Parameters<typeof vmResource>[1]]> = [
      ["image.offer", { ...base, image: { publisher: "Canonical", offer: "ubuntu-22_04-lts", sku: "server", version: "latest" } }],
      ["adminUser", { ...base, cloudInit: { user: "other", sshKeys: [SSH_KEY], packages: ["git"] } }],
      ["sshKeys", { ...base, cloudInit: { user: "azureuser", sshKeys: ["ssh-ed25519 AAAAother k"], packages: ["git"] } }],
      ["cloudInitHash", { ...base, cloudInit: { user: "azureuser", sshKeys: [SSH_KEY], packages: ["git", "curl"] } }],
      ["location", { ...base, location: "westeurope" }],
      ["network.subnet", { ...base, networks: [{ subnet: "other" }] }],
    ];
    for (const [path, over] of cases) {
      const changes = azureProvider.diff("VirtualMachine", desiredOf(vmResource("vm-2", over)), observed.spec);
      expect(changes.map((c) => [c.path, c.effect])).toEqual([[path, "replace"]]);
      expect(changes[0]!.note).toBeTruthy();
    }
  });

  test("OS disk: growing is a restart (deallocate, grow, start); shrinking is unsupported", async () => {
    const before = (await observeAll(env)).find((o) => o.name === "vm-2")!;
    const shrink = azureProvider.diff("VirtualMachine", desiredOf(vmResource("vm-2", { size: "Standard_D2s_v5", disks: [{ size: "32GiB", type: "Premium_LRS" }] })), before.spec);
    expect(shrink).toMatchObject([{ path: "osDisk.sizeGB", before: 64, after: 32, effect: "unsupported" }]);
    const from = env.requests.length;
    const { changes, after } = await apply(vmResource("vm-2", { size: "Standard_D2s_v5", disks: [{ size: "128GiB", type: "Premium_LRS" }] }), before);
    expect(changes).toMatchObject([{ path: "osDisk.sizeGB", effect: "restart" }]);
    expect(pathsOf(from).filter((p) => p.startsWith("POST")).map((p) => p.split("/").pop())).toEqual(["deallocate", "start"]);
    expect(after.spec).toMatchObject({ osDisk: { sizeGB: 128 }, power: "running" });
  });

  test("tags and public IP change in place; tags vmsync does not manage are kept", async () => {
    await env.sdk.compute.virtualMachines.update("rg-test", "vm-1", { tags: { ...(await env.sdk.compute.virtualMachines.get("rg-test", "vm-1")).tags, costcenter: "42" } }, { updateIntervalInMs: 5 });
    const before = (await observeAll(env)).find((o) => o.name === "vm-1")!;
    const { changes, after } = await apply(vmResource("vm-1", { tags: { api: "", env: "prod" } }), before);
    expect(changes.map((c) => [c.path, c.effect]).sort()).toEqual([["network.publicIp", "in-place"], ["tags", "in-place"]]);
    expect(after.spec).toMatchObject({ tags: { api: "", env: "prod" }, network: { publicIp: false } });
    const tags = (await env.sdk.compute.virtualMachines.get("rg-test", "vm-1")).tags;
    expect(tags).toMatchObject({ costcenter: "42", api: "", env: "prod", "vmsync-tags": "api,env" });
    expect(tags?.role).toBeUndefined(); // dropped from the manifest: removed; costcenter was never vmsync's: kept
    await expect(env.sdk.network.publicIPAddresses.get("rg-test", "vm-1-pip")).rejects.toMatchObject({ statusCode: 404 });
  });

  test("delete removes the VM, its OS disk, NIC and public IP — and leaves an unowned disk and NIC alone", async () => {
    const r = vmResource("vm-4", { networks: [{ subnet: "default", publicIp: true }] });
    const made = await env.session.create(createRequest(env, r), ctx());
    const { compute, network } = env.sdk;
    await compute.disks.createOrUpdate("rg-test", "someone-elses-disk", { location: "eastus", creationData: { createOption: "Empty" }, diskSizeGB: 8 }, { updateIntervalInMs: 5 });
    const subnetId = (await network.subnets.get("rg-test", "vnet-test", "default")).id!;
    await network.networkInterfaces.beginCreateOrUpdateAndWait("rg-test", "vm-4-extra", { location: "eastus", ipConfigurations: [{ name: "c", subnet: { id: subnetId } }] }, { updateIntervalInMs: 5 });
    const osDiskId = (await compute.virtualMachines.get("rg-test", "vm-4")).storageProfile!.osDisk!.managedDisk!.id!;
    await env.session.delete({ address: r.address, kind: "VirtualMachine", externalId: made.externalId, spec: made.spec }, ctx());
    await expect(compute.virtualMachines.get("rg-test", "vm-4")).rejects.toMatchObject({ statusCode: 404 });
    await expect(compute.disks.get("rg-test", osDiskId.split("/").pop()!)).rejects.toMatchObject({ statusCode: 404 });
    await expect(network.networkInterfaces.get("rg-test", "vm-4-nic")).rejects.toMatchObject({ statusCode: 404 });
    await expect(network.publicIPAddresses.get("rg-test", "vm-4-pip")).rejects.toMatchObject({ statusCode: 404 });
    expect((await compute.disks.get("rg-test", "someone-elses-disk")).name).toBe("someone-elses-disk");
    expect((await network.networkInterfaces.get("rg-test", "vm-4-extra")).name).toBe("vm-4-extra");
    expect((await network.virtualNetworks.get("rg-test", "vnet-test")).name).toBe("vnet-test");
    // already gone: succeeds
    await env.session.delete({ address: r.address, kind: "VirtualMachine", externalId: made.externalId }, ctx());
  });

  test("a same-named VM that vmsync did not create is observed without a marker, and create refuses to touch it", async () => {
    const { compute } = env.sdk;
    const nicId = (await env.sdk.network.networkInterfaces.get("rg-test", "vm-4-extra")).id!;
    await compute.virtualMachines.createOrUpdate("rg-test", "foreign", {
      location: "eastus", hardwareProfile: { vmSize: "Standard_B1s" },
      storageProfile: { imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" }, osDisk: { createOption: "FromImage" } },
      osProfile: { computerName: "foreign", adminUsername: "x", linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: "/home/x/.ssh/authorized_keys", keyData: SSH_KEY }] } } },
      networkProfile: { networkInterfaces: [{ id: nicId, primary: true }] },
    }, { updateIntervalInMs: 5 });
    const seen = (await observeAll(env)).find((o) => o.name === "foreign")!;
    expect(seen.marker).toBeUndefined();
    await expect(env.session.create(createRequest(env, vmResource("foreign")), ctx())).rejects.toMatchObject({ code: "UNOWNED_CONFLICT", retryable: false });
  });

  test("delete refuses a VM whose marker names another address (its id was reused)", async () => {
    const r = vmResource("vm-5");
    const made = await env.session.create(createRequest(env, r), ctx());
    await expect(env.session.delete({ address: "VirtualMachine/someone-else", kind: "VirtualMachine", externalId: made.externalId }, ctx())).rejects.toMatchObject({ code: "UNOWNED_CONFLICT", retryable: false });
    expect((await env.sdk.compute.virtualMachines.get("rg-test", "vm-5")).name).toBe("vm-5");
  });
});
