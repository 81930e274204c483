import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { createNetwork, createNic, fast, startEnv, vmSpec, type AzureEnv } from "../sim-azure/helpers.js";
import { runInProcess } from "../state-postgres/cli-io.js";

/**
 * `vmsync import … --generate` against the Azure simulator: a VM made with the SDK outside vmsync
 * (its own resource group and VNet, tags with values, no custom data) gets a manifest that matches
 * it — the subnet as a full id because it is not in the provider's VNet, the tags as a map — and
 * the next plan changes nothing.
 */
describe("vmsync import --generate (Azure simulator)", () => {
  let env: AzureEnv;
  let tree: TempTree;
  let cliEnv: Record<string, string>;
  let vmId: string;
  let subnetId: string;
  const cli = (...args: string[]) => runInProcess(args, { cwd: tree.dir, env: cliEnv });

  beforeAll(async () => {
    env = await startEnv();
    subnetId = await createNetwork(env, "rg-legacy");
    const nic = await createNic(env, "rg-legacy", "legacy-app-nic", subnetId);
    const body = vmSpec(nic, { tags: { owner: "ops", env: "prod" } });
    body.osProfile = { ...body.osProfile!, computerName: "legacy-app", customData: undefined };
    vmId = (await env.compute.virtualMachines.beginCreateOrUpdateAndWait("rg-legacy", "legacy-app", body, fast)).id!;
    tree = await tempTree({
      "providers.yaml": `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: az }
spec:
  type: azure
  endpoint: ${env.sim.endpoint}
  subscriptionId: { env: AZ_SUB }
  auth: { type: static-token, token: { env: AZ_TOKEN } }
  tls: { caFile: ${JSON.stringify(env.sim.caFile)} }
  defaults: { resourceGroup: rg-dev, location: eastus }
`,
    });
    cliEnv = { AZ_SUB: env.sim.credentials.subscriptionId, AZ_TOKEN: env.sim.credentials.token, VMSYNC_AZURE_POLL_MS: "5" };
  });
  afterAll(async () => {
    await env.close();
    await tree.cleanup();
  });

  it("writes a manifest matching the VM, imports it, and the next plan changes nothing", async () => {
    const r = await cli("import", "VirtualMachine/legacy-app", vmId, "--generate", "legacy-app.yaml");
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain("The next plan changes nothing on it.");
    const doc = parse(await readFile(join(tree.dir, "legacy-app.yaml"), "utf8"));
    expect(doc.spec).toEqual({
      provider: "az", resourceGroup: "rg-legacy", location: "eastus", size: "Standard_B2s",
      image: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      cloudInit: { user: "azureuser", sshKeys: ["ssh-ed25519 AAAA test"] },
      disks: [{ size: "64GiB", type: "Premium_LRS" }],
      networks: [{ subnet: subnetId }],
      tags: { env: "prod", owner: "ops" },
    });
    expect(doc.spec.memory).toBeUndefined(); // the size decides it on Azure
    const plan = await cli("plan", ".", "--detailed-exitcode");
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  });
});
