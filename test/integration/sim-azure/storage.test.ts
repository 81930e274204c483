import type { StorageAccountCreateParameters } from "@azure/arm-storage";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNetwork, fast, startEnv, type AzureEnv } from "./helpers.js";

let env: AzureEnv;
let subnet: string;
beforeAll(async () => {
  env = await startEnv();
  subnet = await createNetwork(env, "rg");
});
afterAll(async () => env.close());

/** An NFS-ready premium FileStorage account, as vmsync would create it. */
function nfsAccount(subnetId: string, workaround = true): StorageAccountCreateParameters {
  return {
    location: "eastus",
    kind: "FileStorage",
    sku: { name: "Premium_LRS" },
    tags: { "vmsync.io/stack": "test" },
    enableHttpsTrafficOnly: false,
    networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices", virtualNetworkRules: [{ virtualNetworkResourceId: subnetId, action: "Allow" }], ipRules: [{ iPAddressOrRange: "203.0.113.0/24", action: "Allow" }] },
    // The arm-storage 20.0.0 serializer drops all `properties` unless a property it lists in camelCase is set (reference §0).
    ...(workaround ? { minimumTlsVersion: "TLS1_2" } : {}),
  };
}

describe("storage accounts (modular StorageManagementClient 20.x)", () => {
  test("create with network rules: 202 + Location monitor, the final 200 carries the account", async () => {
    env.sim.setKnobs({ taskDurationMs: 60 });
    const poller = env.storage.storageAccounts.create("rg", "nfsacct1", nfsAccount(subnet), fast);
    await poller.submitted();
    expect((await env.storage.storageAccounts.getProperties("rg", "nfsacct1")).provisioningState).toBe("Creating");
    const acct = await poller;
    env.sim.setKnobs({ taskDurationMs: 15 });
    expect(acct).toMatchObject({ name: "nfsacct1", kind: "FileStorage", provisioningState: "Succeeded", enableHttpsTrafficOnly: false, minimumTlsVersion: "TLS1_2", sku: { name: "Premium_LRS", tier: "Premium" } });
    expect(acct.id).toBeTruthy();
    expect(acct.primaryEndpoints?.file).toBe("https://nfsacct1.file.core.windows.net/");
    expect(acct.networkRuleSet).toMatchObject({ defaultAction: "Deny", bypass: "AzureServices" });
    expect(acct.networkRuleSet?.virtualNetworkRules?.[0]?.virtualNetworkResourceId).toBe(subnet);
    expect(acct.networkRuleSet?.ipRules?.[0]?.iPAddressOrRange).toBe("203.0.113.0/24");
  });

  test("without the workaround the SDK sends no properties: the account gets the defaults", async () => {
    const acct = await env.storage.storageAccounts.create("rg", "nfsacct2", nfsAccount(subnet, false), fast);
    expect(acct.enableHttpsTrafficOnly).toBe(true);
    expect(acct.networkRuleSet?.defaultAction).toBe("Allow");
    expect(acct.networkRuleSet?.virtualNetworkRules).toEqual([]);
  });

  test("update (PATCH) network rules with the workaround; names are global; invalid names refused", async () => {
    const updated = await env.storage.storageAccounts.update("rg", "nfsacct2", { minimumTlsVersion: "TLS1_2", enableHttpsTrafficOnly: false, networkRuleSet: { defaultAction: "Deny", virtualNetworkRules: [{ virtualNetworkResourceId: subnet }] } });
    expect(updated.networkRuleSet?.defaultAction).toBe("Deny");
    expect(updated.enableHttpsTrafficOnly).toBe(false);
    await env.resources.resourceGroups.createOrUpdate("rg2", { location: "eastus" });
    await expect(env.storage.storageAccounts.create("rg2", "nfsacct1", nfsAccount(subnet), fast)).rejects.toMatchObject({ statusCode: 409, code: "StorageAccountAlreadyTaken" });
    await expect(env.storage.storageAccounts.create("rg", "Bad_Name", nfsAccount(subnet), fast)).rejects.toMatchObject({ statusCode: 400, code: "AccountNameInvalid" });
    const names = [];
    for await (const a of env.storage.storageAccounts.listByResourceGroup("rg")) names.push(a.name);
    expect(names).toEqual(["nfsacct1", "nfsacct2"]);
  });

  test("vnet rule to a subnet without the Microsoft.Storage endpoint: the create RESOLVES with an empty model (Location-mode trap)", async () => {
    const vnet = await env.network.virtualNetworks.beginCreateOrUpdateAndWait("rg", "vnet-noep", { location: "eastus", addressSpace: { addressPrefixes: ["10.9.0.0/16"] }, subnets: [{ name: "plain", addressPrefix: "10.9.1.0/24" }] }, fast);
    const bare = vnet.subnets![0]!.id!;
    const result = await env.storage.storageAccounts.create("rg", "nfsacct3", nfsAccount(bare), fast);
    expect(result.id).toBeUndefined();
    expect(result.provisioningState).toBeUndefined();
    await expect(env.storage.storageAccounts.getProperties("rg", "nfsacct3")).rejects.toMatchObject({ statusCode: 404 });
    env.sim.setKnobs({ storageAclFailureShape: "http-error" });
    await expect(env.storage.storageAccounts.create("rg", "nfsacct3", nfsAccount(bare), fast)).rejects.toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
    env.sim.setKnobs({ storageAclFailureShape: "status-failed" });
    await expect(env.storage.storageAccounts.update("rg", "nfsacct2", { minimumTlsVersion: "TLS1_2", networkRuleSet: { defaultAction: "Deny", virtualNetworkRules: [{ virtualNetworkResourceId: bare }] } })).rejects.toMatchObject({ statusCode: 400, code: "NetworkAclsValidationFailure" });
  });
});

describe("NFS file shares", () => {
  test("create (201), get, update quota/rootSquash (200), list, delete", async () => {
    const share = await env.storage.fileShares.create("rg", "nfsacct1", "share1", { enabledProtocols: "NFS", rootSquash: "RootSquash", shareQuota: 100 });
    expect(share).toMatchObject({ name: "share1", type: "Microsoft.Storage/storageAccounts/fileServices/shares", enabledProtocols: "NFS", rootSquash: "RootSquash", shareQuota: 100 });
    expect(share.etag).toBeTruthy();
    const updated = await env.storage.fileShares.update("rg", "nfsacct1", "share1", { shareQuota: 200, rootSquash: "NoRootSquash" });
    expect(updated).toMatchObject({ shareQuota: 200, rootSquash: "NoRootSquash", enabledProtocols: "NFS" });
    expect((await env.storage.fileShares.get("rg", "nfsacct1", "share1")).shareQuota).toBe(200);
    await env.storage.fileShares.create("rg", "nfsacct1", "share2", { enabledProtocols: "NFS", shareQuota: 100 });
    const listed = [];
    for await (const s of env.storage.fileShares.list("rg", "nfsacct1")) listed.push(s.name);
    expect(listed).toEqual(["share1", "share2"]);
    await env.storage.fileShares.delete("rg", "nfsacct1", "share2");
    await expect(env.storage.fileShares.get("rg", "nfsacct1", "share2")).rejects.toMatchObject({ statusCode: 404 });
  });

  test("rules: NFS only on FileStorage, protocol fixed, premium quota ≥ 100, missing account 404", async () => {
    await env.storage.storageAccounts.create("rg", "v2acct", { location: "eastus", kind: "StorageV2", sku: { name: "Standard_LRS" } }, fast);
    await expect(env.storage.fileShares.create("rg", "v2acct", "sh1", { enabledProtocols: "NFS", shareQuota: 100 })).rejects.toMatchObject({ statusCode: 400, code: "FeatureNotSupportedForAccount", message: "NfsFileShares is not supported for the account." });
    await expect(env.storage.fileShares.update("rg", "nfsacct1", "share1", { enabledProtocols: "SMB" })).rejects.toMatchObject({ statusCode: 400 });
    await expect(env.storage.fileShares.create("rg", "nfsacct1", "tiny", { enabledProtocols: "NFS", shareQuota: 10 })).rejects.toMatchObject({ statusCode: 400, code: "InvalidHeaderValue" });
    await expect(env.storage.fileShares.create("rg", "nope", "sh1", { enabledProtocols: "NFS", shareQuota: 100 })).rejects.toMatchObject({ statusCode: 404 });
  });

  test("deleting the account removes its shares", async () => {
    await env.storage.storageAccounts.delete("rg", "nfsacct1");
    await expect(env.storage.storageAccounts.getProperties("rg", "nfsacct1")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    await env.storage.storageAccounts.delete("rg", "nfsacct1");
  });
});
