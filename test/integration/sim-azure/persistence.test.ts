import { stat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createNetwork, createNic, fast, powerState, startEnv, vmSpec } from "./helpers.js";

describe("persistence (azure-world.json)", () => {
  test("the world survives a restart: same subscription and token, resources, power states; file mode 0600", async () => {
    const first = await startEnv();
    const subnet = await createNetwork(first, "rg");
    await first.compute.virtualMachines.createOrUpdate("rg", "vm1", vmSpec(await createNic(first, "rg", "nic1", subnet)), fast);
    await first.compute.virtualMachines.deallocate("rg", "vm1", fast);
    // An operation still running at close is finished before the world is written.
    first.sim.setKnobs({ taskDurationMs: 10_000 });
    const pending = first.compute.virtualMachines.start("rg", "vm1", fast);
    await pending.submitted();
    const creds = first.sim.credentials;
    await first.close(true);
    await pending.catch(() => undefined);
    const file = join(first.dir, "azure-world.json");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8")).version).toBe(1);

    const second = await startEnv({}, { dir: first.dir });
    try {
      expect(second.sim.credentials).toEqual(creds);
      const vm = await second.compute.virtualMachines.get("rg", "vm1", { expand: "instanceView" });
      expect(vm.provisioningState).toBe("Succeeded");
      expect(powerState(vm.instanceView)).toBe("PowerState/running");
      expect((await second.network.virtualNetworks.get("rg", "vnet1")).subnets?.[0]?.id).toBe(subnet);
    } finally {
      await second.close();
    }
  });

  test("120 VMs: created through the SDK, listed in pages of 100 and reloaded (scale is measured in bench/, not here)", async () => {
    const env = await startEnv({ taskDurationMs: 0 });
    try {
      const subnet = await createNetwork(env, "big");
      await env.network.virtualNetworks.beginCreateOrUpdateAndWait("big", "vnet1", { location: "eastus", addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [{ name: "default", addressPrefix: "10.0.0.0/20", serviceEndpoints: [{ service: "Microsoft.Storage" }] }] }, fast);
      const N = 120;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < N) {
          const i = next++;
          const nic = await createNic(env, "big", `nic-${i}`, subnet);
          await env.compute.virtualMachines.createOrUpdate("big", `vm-${String(i).padStart(4, "0")}`, vmSpec(nic), { updateIntervalInMs: 1 });
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      let count = 0;
      let pages = 0;
      for await (const page of env.compute.virtualMachines.listAll({ statusOnly: "true" }).byPage()) {
        pages++;
        count += page.length;
      }
      expect(count).toBe(N);
      expect(pages).toBe(2);
      await env.close(true);
      const again = await startEnv({}, { dir: env.dir });
      let reloaded = 0;
      for await (const _ of again.compute.virtualMachines.list("big")) reloaded++;
      await again.close();
      expect(reloaded).toBe(N);
    } finally {
      await env.close().catch(() => undefined);
    }
  });
});
