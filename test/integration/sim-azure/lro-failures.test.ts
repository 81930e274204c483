import { isRestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNetwork, createNic, fast, powerState, startEnv, vmSpec, type AzureEnv } from "./helpers.js";

let env: AzureEnv;
let subnet: string;
beforeAll(async () => {
  env = await startEnv();
  subnet = await createNetwork(env, "rg");
});
afterAll(async () => env.close());

const FAILED = /^The long-running operation has failed\. ([^.]+)\. (.*)$/s;

describe("failed long-running operations (knob: lroFailures)", () => {
  test("status-failed on an Azure-AsyncOperation LRO: a plain Error, and the VM is left Failed", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "virtualMachines.createOrUpdate", shape: "status-failed", code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity for the requested VM size in this region." }] });
    const err = await env.compute.virtualMachines.createOrUpdate("rg", "vm1", vmSpec(await createNic(env, "rg", "nic1", subnet)), fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isRestError(err)).toBe(false);
    const m = FAILED.exec((err as Error).message);
    expect(m?.[1]).toBe("AllocationFailed");
    expect(m?.[2]).toMatch(/^Allocation failed/);
    expect((await env.compute.virtualMachines.get("rg", "vm1")).provisioningState).toBe("Failed");
    // The rule was used up: a retry PUT repairs it.
    const again = await env.compute.virtualMachines.createOrUpdate("rg", "vm1", vmSpec((await env.network.networkInterfaces.get("rg", "nic1")).id!), fast);
    expect(again.provisioningState).toBe("Succeeded");
  });

  test("status-failed on a classic (network) LRO: a plain Error as well", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "publicIPAddresses.createOrUpdate", shape: "status-failed", code: "PublicIpCountLimitReached", message: "Cannot create more than 10 public IP addresses." }] });
    const err = await env.network.publicIPAddresses.beginCreateOrUpdateAndWait("rg", "pip1", { location: "eastus", sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, fast).catch((e: unknown) => e);
    expect(isRestError(err)).toBe(false);
    expect((err as Error).message).toMatch(/^The long-running operation has failed/);
  });

  test("http-error: the poll answers an error status and the SDK throws a RestError", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "virtualMachines.start", shape: "http-error", httpStatus: 500, code: "InternalExecutionError", message: "poll boom" }] });
    await env.compute.virtualMachines.powerOff("rg", "vm1", fast);
    await expect(env.compute.virtualMachines.start("rg", "vm1", fast)).rejects.toMatchObject({ statusCode: 500, code: "InternalExecutionError", message: "poll boom" });
    expect(powerState(await env.compute.virtualMachines.instanceView("rg", "vm1"))).toBe("PowerState/stopped");
  });

  test("status-failed on a Location-monitor LRO RESOLVES: storage account create returns {}", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "storageAccounts.create", shape: "status-failed", code: "StorageAccountOperationInProgress", message: "busy" }] });
    const acct = await env.storage.storageAccounts.create("rg", "acct1", { location: "eastus", kind: "FileStorage", sku: { name: "Premium_LRS" }, minimumTlsVersion: "TLS1_2" }, fast);
    expect(acct.id).toBeUndefined();
    await expect(env.storage.storageAccounts.getProperties("rg", "acct1")).rejects.toMatchObject({ statusCode: 404 });
  });

  test("status-failed on a resource group delete resolves too, and the group survives", async () => {
    await env.resources.resourceGroups.createOrUpdate("rg-keep", { location: "eastus" });
    env.sim.setKnobs({ lroFailures: [{ operation: "resourceGroups.delete", shape: "status-failed", code: "ResourceGroupDeletionBlocked", message: "locked" }] });
    await env.resources.resourceGroups.beginDeleteAndWait("rg-keep", fast);
    expect((await env.resources.resourceGroups.get("rg-keep")).properties?.provisioningState).toBe("Succeeded");
  });

  test("'*' with times matches any operation that many times", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "*", shape: "http-error", code: "Boom", message: "b", times: 2 }] });
    await expect(env.compute.virtualMachines.start("rg", "vm1", fast)).rejects.toMatchObject({ statusCode: 400, code: "Boom" });
    await expect(env.compute.virtualMachines.start("rg", "vm1", fast)).rejects.toMatchObject({ statusCode: 400 });
    await env.compute.virtualMachines.start("rg", "vm1", fast);
  });
});
