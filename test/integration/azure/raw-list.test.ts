/**
 * Observe lists VMs, disks, network interfaces and public IPs without the SDKs' deserialisers
 * (src/providers/azure/raw-list.ts, nic-view.ts, compute-view.ts): through an SDK client's pipeline,
 * against the ARM simulator. What it makes of the wire JSON must be what the SDK's own
 * `list` gives for every field vmsync reads, pages followed to the end; an error answer must be the
 * RestError the SDK throws.
 */
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { isRestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isNotFound } from "../../../src/providers/azure/errors.js";
import { nicFromWire, publicIpFromWire, type NicView, type PublicIpView, type WireNic, type WirePublicIp } from "../../../src/providers/azure/nic-view.js";
import { listRaw, NETWORK_API_VERSION } from "../../../src/providers/azure/raw-list.js";
import { COMPUTE_API_VERSION, diskFromWire, vmFromWire, type DiskView, type VmView, type WireDisk, type WireVm } from "../../../src/providers/azure/compute-view.js";
import { createRequest, opCtx, startTestEnv, vmResource, type AzureTestEnv } from "./helpers.js";

let env: AzureTestEnv;
beforeAll(async () => {
  env = await startTestEnv({ pageSize: 2 }); // 3 VMs: NICs on two pages
  for (const [name, publicIp] of [["raw-1", true], ["raw-2", false], ["raw-3", true]] as const) {
    await env.session.create(createRequest(env, vmResource(name, { networks: [{ subnet: "default", publicIp }] })), opCtx());
  }
});
afterAll(async () => env.close());

const url = (rg: string, collection: string, ns = "Microsoft.Network", version: string = NETWORK_API_VERSION) => `${env.sim.endpoint}/subscriptions/${env.sim.credentials.subscriptionId}/resourceGroups/${rg}/providers/${ns}/${collection}?api-version=${version}`;
/** The VmView fields of an SDK VM model. */
const vmOfSdk = (v: VmView): VmView => JSON.parse(JSON.stringify({ id: v.id, name: v.name, location: v.location, tags: v.tags, hardwareProfile: v.hardwareProfile, storageProfile: v.storageProfile && { imageReference: v.storageProfile.imageReference && { publisher: v.storageProfile.imageReference.publisher, offer: v.storageProfile.imageReference.offer, sku: v.storageProfile.imageReference.sku, version: v.storageProfile.imageReference.version }, osDisk: v.storageProfile.osDisk && { diskSizeGB: v.storageProfile.osDisk.diskSizeGB, managedDisk: v.storageProfile.osDisk.managedDisk && { id: v.storageProfile.osDisk.managedDisk.id, storageAccountType: v.storageProfile.osDisk.managedDisk.storageAccountType } } }, osProfile: v.osProfile && { computerName: v.osProfile.computerName, adminUsername: v.osProfile.adminUsername, linuxConfiguration: v.osProfile.linuxConfiguration && { ssh: v.osProfile.linuxConfiguration.ssh && { publicKeys: v.osProfile.linuxConfiguration.ssh.publicKeys?.map((k) => ({ keyData: k.keyData })) } } }, networkProfile: v.networkProfile && { networkInterfaces: v.networkProfile.networkInterfaces?.map((n) => ({ id: n.id, primary: n.primary })) }, instanceView: v.instanceView && { statuses: v.instanceView.statuses?.map((x) => ({ code: x.code })) } }));
/** The same fields picked from our view (what observe reads of it). */
const vmOfView = (v: VmView): VmView => vmOfSdk(v);
const all = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
/** The NicView fields of an SDK model (what canonical-vm.ts and addresses.ts read). */
const viewOfSdk = (n: NicView): NicView => JSON.parse(JSON.stringify({ id: n.id, ipConfigurations: n.ipConfigurations?.map((c) => ({ primary: c.primary, privateIPAddress: c.privateIPAddress, publicIPAddress: c.publicIPAddress ? { id: c.publicIPAddress.id } : undefined, subnet: c.subnet ? { id: c.subnet.id } : undefined })) }));
const pipOfSdk = (p: PublicIpView): PublicIpView => JSON.parse(JSON.stringify({ id: p.id, ipAddress: p.ipAddress }));

describe("listing the network without the SDK's deserialiser", () => {
  test("NETWORK_API_VERSION is the api-version @azure/arm-network sends", async () => {
    let sent: string | undefined;
    const client = new NetworkManagementClient({ getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }) }, "sub", {
      endpoint: "https://127.0.0.1:1",
      additionalPolicies: [{ position: "perCall", policy: { name: "capture", sendRequest: async (req) => { sent = req.url; throw new Error("captured"); } } }],
    });
    await expect(all(client.networkInterfaces.list("rg"))).rejects.toThrow("captured");
    expect(new URL(sent!).searchParams.get("api-version")).toBe(NETWORK_API_VERSION);
  });

  test("COMPUTE_API_VERSION is what @azure/arm-compute sends for VM and disk lists", async () => {
    const sent: string[] = [];
    const client = new ComputeManagementClient({ getToken: async () => ({ token: "t", expiresOnTimestamp: Date.now() + 60_000 }) }, "sub", {
      endpoint: "https://127.0.0.1:1",
      additionalPolicies: [{ position: "perCall", policy: { name: "capture", sendRequest: async (req) => { sent.push(req.url); throw new Error("captured"); } } }],
    });
    await expect(all(client.virtualMachines.list("rg"))).rejects.toThrow("captured");
    await expect(all(client.disks.listByResourceGroup("rg"))).rejects.toThrow("captured");
    expect(sent.map((u) => new URL(u).searchParams.get("api-version"))).toEqual([COMPUTE_API_VERSION.virtualMachines, COMPUTE_API_VERSION.disks]);
  });

  test("VMs and disks: the same views as the SDK's lists, across pages; power states from the statusOnly list", async () => {
    const { compute, network } = env.sdk;
    const vms = (await listRaw<WireVm>(network, url("rg-test", "virtualMachines", "Microsoft.Compute", COMPUTE_API_VERSION.virtualMachines))).map(vmFromWire);
    expect(vms).toHaveLength(3);
    expect(vms.map(vmOfView)).toEqual((await all(compute.virtualMachines.list("rg-test"))).map(vmOfSdk));
    expect(vms.every((v) => v.hardwareProfile?.vmSize && v.storageProfile?.osDisk?.managedDisk?.id && v.networkProfile?.networkInterfaces?.length)).toBe(true);
    const disks = (await listRaw<WireDisk>(network, url("rg-test", "disks", "Microsoft.Compute", COMPUTE_API_VERSION.disks))).map(diskFromWire);
    const pick = (d: DiskView): DiskView => JSON.parse(JSON.stringify({ id: d.id, diskSizeGB: d.diskSizeGB, sku: d.sku && { name: d.sku.name } }));
    expect(disks.map(pick)).toEqual((await all(compute.disks.listByResourceGroup("rg-test"))).map(pick));
    expect(disks.every((d) => d.diskSizeGB && d.sku?.name)).toBe(true);
    const statusUrl = `${env.sim.endpoint}/subscriptions/${env.sim.credentials.subscriptionId}/providers/Microsoft.Compute/virtualMachines?api-version=${COMPUTE_API_VERSION.virtualMachines}&statusOnly=true`;
    const status = (await listRaw<WireVm>(network, statusUrl)).map(vmFromWire);
    const codes = (v: VmView) => (v.instanceView?.statuses ?? []).map((x) => x.code).sort();
    const sdkStatus = await all(compute.virtualMachines.listAll({ statusOnly: "true" }));
    expect(status.map((v) => [v.id, codes(v)])).toEqual(sdkStatus.map((v) => [v.id, codes(v as VmView)]));
    expect(status.every((v) => codes(v).some((c) => c?.startsWith("PowerState/")))).toBe(true);
  });

  test("network interfaces: the same views as the SDK's list, across pages", async () => {
    const { network } = env.sdk;
    const raw = (await listRaw<WireNic>(network, url("rg-test", "networkInterfaces"))).map(nicFromWire);
    const sdk = (await all(network.networkInterfaces.list("rg-test"))).map(viewOfSdk);
    expect(raw).toHaveLength(3);
    expect(raw).toEqual(sdk);
    expect(raw.filter((n) => n.ipConfigurations?.[0]?.publicIPAddress?.id)).toHaveLength(2);
    expect(raw.every((n) => /^10\./.test(n.ipConfigurations?.[0]?.privateIPAddress ?? "") && n.ipConfigurations?.[0]?.subnet?.id)).toBe(true);
  });

  test("public IPs: the same views as the SDK's list", async () => {
    const { network } = env.sdk;
    const raw = (await listRaw<WirePublicIp>(network, url("rg-test", "publicIPAddresses"))).map(publicIpFromWire);
    expect(raw).toHaveLength(2);
    expect(raw).toEqual((await all(network.publicIPAddresses.list("rg-test"))).map(pipOfSdk));
    expect(raw.every((p) => p.ipAddress)).toBe(true);
  });

  test("an error answer is the RestError the SDK throws (a missing group: 404, observe reads it as empty)", async () => {
    const err = await listRaw(env.sdk.network, url("rg-nowhere", "networkInterfaces")).catch((e: unknown) => e);
    const sdkErr = await all(env.sdk.network.networkInterfaces.list("rg-nowhere")).catch((e: unknown) => e);
    expect(isRestError(err) && isRestError(sdkErr)).toBe(true);
    expect({ status: (err as { statusCode?: number }).statusCode, code: (err as { code?: string }).code, message: (err as Error).message })
      .toEqual({ status: (sdkErr as { statusCode?: number }).statusCode, code: (sdkErr as { code?: string }).code, message: (sdkErr as Error).message });
    expect(isNotFound(err)).toBe(true);
  });

  test("a page that is not JSON fails the list instead of reading as empty", async () => {
    const garbled = { sendRequest: async (request: Parameters<typeof env.sdk.network.sendRequest>[0]): Promise<PipelineResponse> => ({ request, status: 200, headers: request.headers, bodyAsText: "<html>maintenance</html>" }) };
    const err = await listRaw(garbled, url("rg-test", "networkInterfaces")).catch((e: unknown) => e);
    expect(isRestError(err) && err.code === "PARSE_ERROR").toBe(true);
  });
});
