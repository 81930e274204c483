import { isRestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createNetwork, fast, startEnv, type AzureEnv } from "./helpers.js";

let env: AzureEnv;
beforeAll(async () => {
  env = await startEnv({ pageSize: 2 });
});
afterAll(async () => env.close());

/** Runs `fn` and returns the RestError it threw. */
async function restError(fn: () => Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    if (isRestError(err)) return err;
    throw err;
  }
  throw new Error("expected a RestError");
}

describe("resource groups (classic ResourceManagementClient)", () => {
  test("create, update, get, checkExistence", async () => {
    const rg = await env.resources.resourceGroups.createOrUpdate("rg-a", { location: "eastus", tags: { team: "x" } });
    expect(rg).toMatchObject({ name: "rg-a", location: "eastus", tags: { team: "x" }, properties: { provisioningState: "Succeeded" } });
    expect(rg.id).toBe(`/subscriptions/${env.sub}/resourceGroups/rg-a`);
    const again = await env.resources.resourceGroups.createOrUpdate("rg-a", { location: "eastus", tags: { team: "y" } });
    expect(again.tags).toEqual({ team: "y" });
    expect((await env.resources.resourceGroups.get("RG-A")).name).toBe("rg-a");
    expect((await env.resources.resourceGroups.checkExistence("rg-a")).body).toBe(true);
    expect((await env.resources.resourceGroups.checkExistence("rg-none")).body).toBe(false);
  });

  test("a location change is refused", async () => {
    const err = await restError(() => env.resources.resourceGroups.createOrUpdate("rg-a", { location: "westeurope" }));
    expect(err).toMatchObject({ statusCode: 409, code: "InvalidResourceGroupLocation" });
  });

  test("list pages with nextLink (page size 2)", async () => {
    await env.resources.resourceGroups.createOrUpdate("rg-b", { location: "eastus" });
    await env.resources.resourceGroups.createOrUpdate("rg-c", { location: "eastus" });
    const sizes: number[] = [];
    for await (const page of env.resources.resourceGroups.list().byPage()) sizes.push(page.length);
    expect(sizes).toEqual([2, 1]);
  });

  test("missing group: 404 ResourceGroupNotFound for the group and for resources in it", async () => {
    const err = await restError(() => env.resources.resourceGroups.get("nope"));
    expect(err).toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found." });
    const vmErr = await restError(() => env.compute.virtualMachines.get("nope", "vm1"));
    expect(vmErr).toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
    const delErr = await restError(() => env.resources.resourceGroups.beginDeleteAndWait("nope", fast));
    expect(delErr).toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
  });

  test("delete is a Location-polled LRO that removes everything in the group", async () => {
    await createNetwork(env, "rg-del");
    env.sim.setKnobs({ taskDurationMs: 60 });
    const poller = await env.resources.resourceGroups.beginDelete("rg-del", fast);
    expect((await env.resources.resourceGroups.get("rg-del")).properties?.provisioningState).toBe("Deleting");
    await poller.pollUntilDone();
    env.sim.setKnobs({ taskDurationMs: 15 });
    expect((await env.resources.resourceGroups.checkExistence("rg-del")).body).toBe(false);
    await env.resources.resourceGroups.createOrUpdate("rg-del", { location: "eastus" });
    const vnets = [];
    for await (const v of env.network.virtualNetworks.list("rg-del")) vnets.push(v);
    expect(vnets).toEqual([]);
  });
});
