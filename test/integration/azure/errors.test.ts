import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { azureProvider } from "../../../src/providers/azure/index.js";
import { parseLroFailure, retryAfterMsOf } from "../../../src/providers/azure/errors.js";
import { ProviderError, isTransient } from "../../../src/providers/contract.js";
import { createRequest, observeAll, opCtx, shareResource, startTestEnv, vmResource, type AzureTestEnv } from "./helpers.js";

let env: AzureTestEnv;
beforeAll(async () => {
  env = await startTestEnv();
  await env.sdk.resources.resourceGroups.createOrUpdate("rg-test", { location: "eastus" });
});
afterAll(async () => env.close());

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe("Azure errors become ProviderErrors", () => {
  test("429 with Retry-After → retryable, retryAfterMs honoured (retry-after-ms preferred)", async () => {
    env.sim.setKnobs({ throttleRetryAfterMs: 250 });
    env.sim.injectFault({ status: 429, method: "GET", pathContains: "/virtualMachines", count: 50 }); // outlasts the request retries
    const err = await failure(observeAll(env));
    env.sim.clearFaults();
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 250 });
    expect(err.code).toMatch(/TooManyRequests|SubscriptionRequestsThrottled/);
    expect(err.message).toMatch(/HTTP 429/);
    expect(isTransient(err)).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // let the first observe's other lists finish
    env.sim.setKnobs({ throttleRetryAfterMs: 2000 });
    env.sim.injectFault({ status: 429, method: "GET", pathContains: "/disks", count: 50 });
    expect(await failure(observeAll(env))).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    env.sim.clearFaults();
    expect(retryAfterMsOf({ get: (h) => (h === "retry-after" ? new Date(Date.now() + 5000).toUTCString() : undefined) })).toBeGreaterThan(3000);
  });

  test("a few transient answers to one request are retried in place (found by the fault soak: one step of many requests rarely survived a flaky API)", async () => {
    env.sim.setKnobs({ throttleRetryAfterMs: 20 });
    env.sim.injectFault({ status: 503, method: "GET", pathContains: "/virtualMachines", count: 2 });
    env.sim.injectFault({ status: 429, method: "GET", pathContains: "/disks", count: 1 });
    env.sim.injectFault({ status: 500, method: "GET", pathContains: "/networkInterfaces", count: 1 });
    const before = env.requests.length;
    await observeAll(env);
    const retried = env.requests.slice(before).filter((r) => (r.status ?? 0) >= 429);
    expect(retried.map((r) => r.status).sort()).toEqual([429, 500, 503, 503]);
  });

  test("500 and 503 → retryable; 404 of a missing reference → permanent", async () => {
    env.sim.injectFault({ status: 500, method: "GET", count: 50 });
    expect(await failure(observeAll(env))).toMatchObject({ retryable: true, code: "InternalServerError" });
    env.sim.clearFaults();
    await new Promise((r) => setTimeout(r, 100));
    env.sim.injectFault({ status: 503, method: "GET", count: 50 });
    expect(await failure(observeAll(env))).toMatchObject({ retryable: true, code: "ServiceUnavailable" });
    env.sim.clearFaults();
    await new Promise((r) => setTimeout(r, 100));
    const bad = vmResource("bad-size", { size: "Standard_Z99" });
    const err = await failure(env.session.create(createRequest(env, bad), opCtx()));
    expect(err).toMatchObject({ retryable: false, code: "InvalidParameter" });
    expect(err.message).toMatch(/^create VM bad-size in rg-test: HTTP 400 InvalidParameter: The requested VM size Standard_Z99/);
  });

  test("a failed VM create LRO (status Failed) → Azure's code and message, permanent; the retry repairs the VM", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "virtualMachines.createOrUpdate", shape: "status-failed", code: "AllocationFailed", message: "Allocation failed. We do not have sufficient capacity for the requested VM size in this region." }] });
    const r = vmResource("lro-vm");
    const err = await failure(env.session.create(createRequest(env, r), opCtx()));
    expect(err).toMatchObject({ code: "AllocationFailed", retryable: false });
    expect(err.message).toBe("create VM lro-vm in rg-test: the operation failed: AllocationFailed: Allocation failed. We do not have sufficient capacity for the requested VM size in this region.");
    const again = await env.session.create(createRequest(env, r), opCtx());
    expect(again.spec.power).toBe("running");
    expect(azureProvider.diff("VirtualMachine", azureProvider.canonicalize(r, env.config), again.spec)).toEqual([]);
  });

  test("a transient code in a failed LRO is retryable; an LRO poll answering 500 is retryable", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "virtualMachines.deallocate", shape: "status-failed", code: "InternalExecutionError", message: "try later" }] });
    const vm = (await observeAll(env)).find((o) => o.name === "lro-vm")!;
    const r = vmResource("lro-vm", { power: "deallocated" });
    const req = { address: r.address, kind: "VirtualMachine" as const, externalId: vm.externalId, spec: azureProvider.canonicalize(r, env.config), changes: [{ path: "power", before: "running", after: "deallocated", effect: "in-place" as const }], marker: { stack: "test", address: r.address } };
    expect(await failure(env.session.update(req, opCtx()))).toMatchObject({ code: "InternalExecutionError", retryable: true });
    env.sim.setKnobs({ lroFailures: [{ operation: "virtualMachines.deallocate", shape: "http-error", httpStatus: 500, code: "InternalExecutionError", message: "poll boom" }] });
    expect(await failure(env.session.update(req, opCtx()))).toMatchObject({ code: "InternalExecutionError", retryable: true });
    expect((await env.session.update(req, opCtx())).spec.power).toBe("deallocated");
  });

  test("a storage account create that 'succeeds' with {} (Location-monitor trap) is reported as failed", async () => {
    env.sim.setKnobs({ lroFailures: [{ operation: "storageAccounts.create", shape: "status-failed", code: "StorageAccountOperationInProgress", message: "busy" }] });
    const err = await failure(env.session.create(createRequest(env, shareResource("trap", { azure: { storageAccount: "vmsynctrap01", subnets: ["default"] } })), opCtx()));
    expect(err.code).toBe("OperationFailedWithoutResource");
    expect(err.message).toMatch(/^create storage account vmsynctrap01 in rg-test: Azure reported the operation as finished but returned no resource/);
  });

  test("the LRO failure message parser", () => {
    expect(parseLroFailure("The long-running operation has failed. X. Y z.")).toEqual({ code: "X", message: "Y z." });
    expect(parseLroFailure("The long-running operation has failed")).toMatchObject({ code: "OperationFailed" });
    expect(parseLroFailure("something else")).toBeUndefined();
  });

  test("a bad token fails connect with Azure's code, permanently", async () => {
    const err = await failure(azureProvider.connect(env.config, { stack: "test", env: { ...env.env, AZ_TOKEN: "wrong" } }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/^connect to Azure .*HTTP 401/);
  });

  test("no subscription id → a clear error", async () => {
    const config = { ...env.config, spec: { ...env.config.spec, subscriptionId: undefined } } as typeof env.config;
    const { AZURE_SUBSCRIPTION_ID: _drop, ...rest } = env.env;
    await expect(azureProvider.connect(config, { stack: "test", env: rest })).rejects.toMatchObject({ code: "NO_SUBSCRIPTION" });
    const ok = await azureProvider.connect(config, { stack: "test", env: { ...rest, AZURE_SUBSCRIPTION_ID: env.sim.credentials.subscriptionId } });
    await ok.close();
  });
});
