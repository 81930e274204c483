import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { runInProcess } from "../state-postgres/cli-io.js";
import { envOf, providerYamlFromEnv, startSim, type Sim } from "../truenas/helpers.js";

/**
 * `vmsync import … --generate` against the TrueNAS simulator: a VM made by hand (zvols in its own
 * dataset, a disk on AHCI, a pinned MAC, autostart off) gets a manifest that matches it, including
 * the dataset of its zvols, and the next plan changes nothing. A display's password is a secret the
 * manifest can only reference: it is named as not expressible, and is the only change planned.
 */
const providers = providerYamlFromEnv;

describe("vmsync import --generate (TrueNAS simulator)", () => {
  let sim: Sim;
  let tree: TempTree;
  let env: Record<string, string>;
  let id: number;
  const cli = (...args: string[]) => runInProcess(args, { cwd: tree.dir, env });

  beforeAll(async () => {
    sim = await startSim("25.10.1");
    tree = await tempTree({ "providers.yaml": providers });
    env = Object.fromEntries(Object.entries(envOf(sim)).filter((e): e is [string, string] => typeof e[1] === "string"));
    await sim.admin("pool.dataset.create", [{ name: "tank/vms" }]);
    await sim.admin("pool.dataset.create", [{ name: "tank/vms/media-os", volsize: 8 * 2 ** 30 }]);
    await sim.admin("pool.dataset.create", [{ name: "tank/vms/media-data", volsize: 2 ** 31 }]);
    const vm = (await sim.admin("vm.create", [{ name: "MediaServer", memory: 2048, vcpus: 1, cores: 2, threads: 1, autostart: false, description: "plex" }])) as { id: number };
    id = vm.id;
    for (const attributes of [
      { dtype: "DISK", path: "/dev/zvol/tank/vms/media-os", type: "VIRTIO" },
      { dtype: "DISK", path: "/dev/zvol/tank/vms/media-data", type: "AHCI" },
      { dtype: "NIC", nic_attach: "br0", type: "VIRTIO", mac: "00:a0:98:11:22:33" },
    ]) await sim.admin("vm.device.create", [{ vm: id, attributes }]);
  });
  afterAll(async () => {
    await sim.dispose();
    await tree.cleanup();
  });

  it("writes a manifest matching the VM (its name, dataset, devices), imports it, and the next plan changes nothing", async () => {
    const r = await cli("import", "VirtualMachine/media", String(id), "--generate", "media.yaml");
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain("The next plan changes nothing on it.");
    const doc = parse(await readFile(join(tree.dir, "media.yaml"), "utf8"));
    expect(doc.spec).toEqual({
      provider: "nas", externalName: "MediaServer", dataset: "tank/vms", cpu: { sockets: 1, cores: 2, threads: 1 }, memory: "2GiB",
      disks: [{ name: "media-os", size: "8GiB", bus: "virtio" }, { name: "media-data", size: "2GiB", bus: "ahci" }],
      networks: [{ bridge: "br0", model: "virtio", mac: "00:a0:98:11:22:33" }],
      autostart: false, description: "plex", power: "stopped",
    });
    const plan = await cli("plan", ".", "--detailed-exitcode");
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  });

  it("a display password cannot be written: it is named, and it is the only difference the next plan shows", async () => {
    const vm = (await sim.admin("vm.create", [{ name: "desk", memory: 1024 }])) as { id: number };
    await sim.admin("pool.dataset.create", [{ name: "tank/vms/desk-os", volsize: 2 ** 30 }]);
    await sim.admin("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISK", path: "/dev/zvol/tank/vms/desk-os", type: "VIRTIO" } }]);
    await sim.admin("vm.device.create", [{ vm: vm.id, attributes: { dtype: "DISPLAY", type: "SPICE", bind: "0.0.0.0", port: 5950, password: "hunter22" } }]);
    const r = await cli("import", "VirtualMachine/desk", String(vm.id), "--generate", "desk.yaml");
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain("not expressible in a manifest: display.password");
    expect(await readFile(join(tree.dir, "desk.yaml"), "utf8")).toContain("# Not expressible here (the next plan will show it): display.password");
    expect(r.stdout).toMatch(/~ display\.password: \(sensitive\) → \(sensitive\)/);
    const plan = await cli("plan", ".");
    expect(plan.stdout).toContain("Plan: 0 to create, 1 to update");
    expect(plan.stdout).not.toContain("hunter22");
  });
});
