import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { azureProvider } from "../../../src/providers/azure/index.js";
import { createRequest, observeAll, opCtx, shareResource, startTestEnv, STACK, vmResource, type AzureTestEnv } from "./helpers.js";

let env: AzureTestEnv;
beforeAll(async () => { env = await startTestEnv({ pageSize: 2 }); });
afterAll(async () => env.close());

describe("NfsShare on Azure Files", () => {
  test("create: premium FileStorage account (HTTPS-only off, vnet rules on the subnet it created), NFS share with quota and root squash", async () => {
    const r = shareResource("home", { size: "200GiB" });
    const made = await env.session.create(createRequest(env, r), opCtx());
    expect(made.marker).toEqual({ stack: STACK, address: "NfsShare/home" });
    expect(azureProvider.diff("NfsShare", azureProvider.canonicalize(r, env.config), made.spec)).toEqual([]);
    const { storage, network } = env.sdk;
    const acct = await storage.storageAccounts.getProperties("rg-test", "vmsynctestfiles");
    const subnet = await network.subnets.get("rg-test", "vnet-test", "default");
    expect(subnet.serviceEndpoints?.[0]?.service).toBe("Microsoft.Storage");
    expect(acct).toMatchObject({ kind: "FileStorage", sku: { name: "Premium_LRS" }, enableHttpsTrafficOnly: false, tags: { "vmsync-address": "NfsShare/home" } });
    expect(acct.networkRuleSet?.defaultAction).toBe("Deny");
    expect(acct.networkRuleSet?.virtualNetworkRules?.map((v) => v.virtualNetworkResourceId)).toEqual([subnet.id]);
    const share = await storage.fileShares.get("rg-test", "vmsynctestfiles", "home");
    expect(share).toMatchObject({ enabledProtocols: "NFS", rootSquash: "RootSquash", shareQuota: 200 });
    const seen = (await observeAll(env)).filter((o) => o.kind === "NfsShare");
    expect(seen.map((o) => o.name)).toEqual(["home"]);
    expect(azureProvider.diff("NfsShare", azureProvider.canonicalize(r, env.config), seen[0]!.spec)).toEqual([]);
  });

  test("quota, root squash and subnets change in place; account placement replaces", async () => {
    const observed = (await observeAll(env)).find((o) => o.name === "home")!;
    const r = shareResource("home", { size: "300GiB", rootSquash: false, azure: { storageAccount: "vmsynctestfiles", subnets: ["default", "second"] } });
    const desired = azureProvider.canonicalize(r, env.config);
    const changes = azureProvider.diff("NfsShare", desired, observed.spec);
    expect(changes.map((c) => [c.path, c.effect])).toEqual([["account.subnets", "in-place"], ["quotaGiB", "in-place"], ["rootSquash", "in-place"]]);
    const after = await env.session.update({ address: r.address, kind: "NfsShare", externalId: observed.externalId, spec: desired, changes, marker: { stack: STACK, address: r.address } }, opCtx());
    expect(azureProvider.diff("NfsShare", desired, after.spec)).toEqual([]);
    expect((await env.sdk.network.subnets.get("rg-test", "vnet-test", "second")).addressPrefix).toBe("10.0.1.0/24");
    const moved = azureProvider.diff("NfsShare", azureProvider.canonicalize(shareResource("home", { azure: { storageAccount: "otheraccount01" } }), env.config), after.spec);
    expect(moved.find((c) => c.path === "storageAccount")).toMatchObject({ effect: "replace" });
  });

  test("a referenced account (createAccount: false) must exist and is never modified", async () => {
    const missing = shareResource("ref1", { azure: { storageAccount: "nosuchacct01", createAccount: false } });
    await expect(env.session.create(createRequest(env, missing), opCtx())).rejects.toMatchObject({ code: "ResourceNotFound", retryable: false });
    await env.sdk.storage.storageAccounts.create("rg-test", "theirsacct01", { location: "eastus", kind: "FileStorage", sku: { name: "Premium_LRS" }, tags: { owner: "them" }, minimumTlsVersion: "TLS1_2" }, { updateIntervalInMs: 5 });
    const r = shareResource("ref2", { azure: { storageAccount: "theirsacct01", createAccount: false } });
    const made = await env.session.create(createRequest(env, r), opCtx());
    expect(azureProvider.diff("NfsShare", azureProvider.canonicalize(r, env.config), made.spec)).toEqual([]);
    expect(azureProvider.canonicalize(r, env.config).account).toBeUndefined();
    await env.session.delete({ address: r.address, kind: "NfsShare", externalId: made.externalId }, opCtx());
    const acct = await env.sdk.storage.storageAccounts.getProperties("rg-test", "theirsacct01");
    expect(acct.tags).toEqual({ owner: "them" });
    expect(acct.enableHttpsTrafficOnly).toBe(true);
    await expect(env.sdk.storage.fileShares.get("rg-test", "theirsacct01", "ref2")).rejects.toMatchObject({ statusCode: 404 });
  });

  test("a VM mounting the share gets the Azure Files NFS path in its cloud-init (hash tag recorded)", async () => {
    const r = vmResource("mounter", { mounts: [{ share: "home", path: "/mnt/home", options: "vers=4.1,hard" }] });
    const made = await env.session.create(createRequest(env, r), opCtx());
    expect(made.spec.cloudInitHash).toMatch(/^[0-9a-f]{32}$/);
    expect(azureProvider.diff("VirtualMachine", azureProvider.canonicalize(r, env.config), made.spec)).toEqual([]);
    const { renderCloudConfig } = await import("../../../src/providers/azure/cloud-init.js");
    const text = renderCloudConfig({ packages: ["git"], mounts: [{ share: "home", path: "/mnt/home", options: "vers=4.1,hard" }] }, new Map([["home", "vmsynctestfiles.file.core.windows.net:/vmsynctestfiles/home"]]));
    expect(text).toContain('["vmsynctestfiles.file.core.windows.net:/vmsynctestfiles/home","/mnt/home","nfs","vers=4.1,hard","0","0"]');
    expect(text).toContain('packages: ["git","nfs-common"]');
    const missing = vmResource("mounter2", { mounts: [{ share: "nowhere", path: "/mnt/x" }] });
    await expect(env.session.create(createRequest(env, missing), opCtx())).rejects.toMatchObject({ code: "SHARE_NOT_FOUND", retryable: false });
  });

  test("delete removes the share and the account vmsync created for it", async () => {
    const observed = (await observeAll(env)).find((o) => o.name === "home")!;
    await env.session.delete({ address: "NfsShare/home", kind: "NfsShare", externalId: observed.externalId }, opCtx());
    await expect(env.sdk.storage.storageAccounts.getProperties("rg-test", "vmsynctestfiles")).rejects.toMatchObject({ statusCode: 404 });
    await env.session.delete({ address: "NfsShare/home", kind: "NfsShare", externalId: observed.externalId }, opCtx());
  });
});

describe("snapshots of VMs", () => {
  test("create (incremental, tagged), list, delete", async () => {
    const vm = (await observeAll(env)).find((o) => o.name === "mounter")!;
    const snaps = env.session.snapshots!;
    const target = { kind: "VirtualMachine" as const, externalId: vm.externalId };
    expect(await snaps.list(target)).toEqual([]);
    await snaps.create(target, "daily-20250101T0300Z", opCtx());
    await snaps.create(target, "daily-20250102T0300Z", opCtx());
    const listed = await snaps.list(target);
    expect(listed.map((s) => s.name)).toEqual(["daily-20250101T0300Z", "daily-20250102T0300Z"]);
    expect(listed.every((s) => !Number.isNaN(Date.parse(s.createdAt)))).toBe(true);
    const raw = await env.sdk.compute.snapshots.get("rg-test", "mounter--daily-20250101T0300Z");
    expect(raw).toMatchObject({ incremental: true, tags: { "vmsync-schedule": "daily", "vmsync-snapshot": "daily-20250101T0300Z", "vmsync-snapshot-of": vm.externalId, "vmsync-stack": STACK } });
    expect(raw.creationData?.sourceResourceId).toMatch(/\/disks\/mounter-osdisk$/);
    await snaps.delete(target, "daily-20250101T0300Z", opCtx());
    expect((await snaps.list(target)).map((s) => s.name)).toEqual(["daily-20250102T0300Z"]);
    await snaps.delete(target, "daily-20250101T0300Z", opCtx());
  });
});
