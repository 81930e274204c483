import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azureProvider } from "../../../src/providers/azure/index.js";
import { createRequest, opCtx, startTestEnv, vmResource, type AzureTestEnv } from "../azure/helpers.js";

/** The Azure provider's capacity read (compute usages through the real @azure/arm-compute client) against the simulator. */
describe("Azure capacity: regional vCPU quota from Microsoft.Compute/locations/{location}/usages", () => {
  let env: AzureTestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ vcpuQuota: { standardBSFamily: 6, cores: 20 } });
  });
  afterAll(async () => env?.close());

  it("lists cores and family quotas with what existing VMs use (deallocated ones too)", async () => {
    await env.session.create(createRequest(env, vmResource("q1", { size: "Standard_B2s" })), opCtx());
    await env.session.create(createRequest(env, vmResource("q2", { size: "Standard_B2ms", power: "deallocated" })), opCtx());
    const pools = await env.session.capacity!({ kinds: ["VirtualMachine"], externalIds: [], names: [], desired: [vmResource("q3")] });
    const byKey = new Map(pools.map((p) => [p.key, p]));
    expect(byKey.get("quota/eastus/standardBSFamily")).toMatchObject({ unit: "count", total: 6, used: 4, label: "Standard BS Family vCPUs in eastus" });
    expect(byKey.get("quota/eastus/cores")).toMatchObject({ total: 20, used: 4 });
    expect(byKey.get("quota/eastus/standardDSv5Family")).toMatchObject({ used: 0 });
    expect([...byKey.keys()].every((k) => k === "quota/eastus/cores" || k.endsWith("Family"))).toBe(true);
    expect(env.requests.some((r) => r.method === "GET" && /\/providers\/Microsoft\.Compute\/locations\/eastus\/usages$/.test(r.path))).toBe(true);
  });

  it("a VM's demand names the pools the usages list (family and regional total)", () => {
    const spec = azureProvider.canonicalize(vmResource("q4", { size: "Standard_D4s_v5" }), env.config);
    expect(azureProvider.demand!("VirtualMachine", spec, env.config)).toEqual([
      { pool: "quota/eastus/standardDSv5Family", amount: 4 },
      { pool: "quota/eastus/cores", amount: 4 },
    ]);
  });
});
