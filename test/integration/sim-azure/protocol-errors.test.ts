import { StorageManagementClient } from "@azure/arm-storage";
import { isRestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { simClientOptions, staticTokenCredential } from "../../../src/sim/azure/index.js";
import { clientsFor, startEnv, type AzureEnv } from "./helpers.js";
import { raw } from "./raw.js";

let env: AzureEnv;
beforeAll(async () => {
  env = await startEnv();
  await env.resources.resourceGroups.createOrUpdate("rg", { location: "eastus" });
});
afterAll(async () => env.close());

const rgPath = (): string => `/subscriptions/${env.sub}/resourcegroups/rg`;

describe("authentication", () => {
  test("no bearer: 401 AuthenticationFailed, without WWW-Authenticate", async () => {
    const res = await raw(env.sim, "GET", `${rgPath()}?api-version=2025-04-01`, { auth: false });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } });
    expect(res.headers["www-authenticate"]).toBeUndefined();
  });

  test("a wrong token through the real SDK: RestError 401 InvalidAuthenticationToken", async () => {
    const o = simClientOptions(env.sim);
    const storage = new StorageManagementClient(staticTokenCredential("wrong"), env.sub, o.modular);
    await expect(storage.storageAccounts.getProperties("rg", "x")).rejects.toMatchObject({ statusCode: 401, code: "InvalidAuthenticationToken" });
  });
});

describe("api-version", () => {
  test("missing: 400 MissingApiVersionParameter", async () => {
    const res = await raw(env.sim, "GET", rgPath());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." } });
  });

  test("unsupported: 400 InvalidApiVersionParameter (ARM) / NoRegisteredProviderFound (resource providers)", async () => {
    const rg = await raw(env.sim, "GET", `${rgPath()}?api-version=2099-01-01`);
    expect(rg.status).toBe(400);
    expect(rg.body).toMatchObject({ error: { code: "InvalidApiVersionParameter" } });
    const o = simClientOptions(env.sim);
    const storage = new StorageManagementClient(staticTokenCredential(env.sim.credentials.token), env.sub, { ...o.modular, apiVersion: "2099-01-01" });
    await expect(storage.storageAccounts.getProperties("rg", "x")).rejects.toMatchObject({ statusCode: 400, code: "NoRegisteredProviderFound" });
  });
});

describe("throttling and transient faults", () => {
  test("429 with Retry-After reaches a client without retries as a RestError with the header", async () => {
    env.sim.injectFault({ status: 429, pathContains: "/virtualMachines" });
    try {
      await env.compute.virtualMachines.get("rg", "vm1");
      expect.unreachable();
    } catch (err) {
      expect(isRestError(err)).toBe(true);
      if (!isRestError(err)) return;
      expect(err.statusCode).toBe(429);
      expect(err.code).toBe("TooManyRequests");
      expect(err.response?.headers.get("retry-after")).toBe("1");
      expect(err.response?.headers.get("x-ms-ratelimit-remaining-subscription-reads")).toBe("0");
    }
  });

  test("a client with retries on honours Retry-After (1 s) and then succeeds", async () => {
    const retrying = clientsFor(env.sim, { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 20 });
    env.sim.injectFault({ status: 429, method: "GET", pathContains: "/resourcegroups/rg" });
    const t0 = Date.now();
    const rg = await retrying.resources.resourceGroups.get("rg");
    expect(rg.name).toBe("rg");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  test("retry-after-ms (sub-second throttleRetryAfterMs) and 503/500 are retried too", async () => {
    const retrying = clientsFor(env.sim, { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 });
    env.sim.setKnobs({ throttleRetryAfterMs: 30 });
    env.sim.injectFault({ status: 503, count: 1 });
    env.sim.injectFault({ status: 500, count: 1 });
    const t0 = Date.now();
    expect((await retrying.resources.resourceGroups.get("rg")).name).toBe("rg");
    expect(Date.now() - t0).toBeLessThan(900);
    env.sim.setKnobs({ throttleRetryAfterMs: 1000 });
  });

  test("faultRate draws faults from the seed: the same seed gives the same sequence", async () => {
    const run = async (): Promise<number[]> => {
      const e = await startEnv({ faultRate: 0.4, seed: 42, throttleRetryAfterMs: 10 });
      const codes: number[] = [];
      for (let i = 0; i < 25; i++) codes.push((await raw(e.sim, "GET", `/subscriptions/${e.sub}/resourcegroups?api-version=2025-04-01`)).status);
      await e.close();
      return codes;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a.some((c) => c === 200)).toBe(true);
    expect(a.some((c) => c === 429 || c === 503 || c === 500)).toBe(true);
  });
});

describe("routing errors", () => {
  test("another subscription: 404 SubscriptionNotFound; unknown type: 404 InvalidResourceType; bad JSON: 400", async () => {
    const other = await raw(env.sim, "GET", "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups?api-version=2025-04-01");
    expect(other).toMatchObject({ status: 404, body: { error: { code: "SubscriptionNotFound" } } });
    const type = await raw(env.sim, "GET", `/subscriptions/${env.sub}/resourceGroups/rg/providers/Microsoft.Compute/widgets/x?api-version=2026-03-01`);
    expect(type).toMatchObject({ status: 404, body: { error: { code: "InvalidResourceType" } } });
  });
});
