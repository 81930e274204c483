import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runInProcess } from "../state-postgres/cli-io.js";
import { pveApi, providerYaml, startWorld, vmYaml, waitUpid, type World } from "../proxmox/helpers.js";

/**
 * `vmsync import … --generate` against the Proxmox simulator: a VM made outside vmsync (two disks on
 * two buses, a pinned MAC, a VLAN, tags, cloud-init user and key, stopped) gets a manifest written
 * that matches it, the import is recorded in history, and the next plan changes nothing. Importing
 * into a hand-written manifest that leaves the NIC out shows the change the next plan would make.
 */
describe("vmsync import --generate (Proxmox simulator)", () => {
  let w: World;
  const cli = (...args: string[]) => runInProcess(args, { cwd: w.dir, env: w.env });

  beforeAll(async () => {
    w = await startWorld();
    await w.write({ "providers.yaml": providerYaml() });
    const made = await pveApi(w, "POST", "/nodes/pve1/qemu", {
      vmid: 150, name: "legacy-db", memory: 3072, cores: 2, sockets: 2, cpu: "host",
      scsi0: "local-lvm:8", virtio0: "local-lvm:20", net0: "virtio=BC:24:11:AA:BB:01,bridge=vmbr0,tag=42",
      tags: "db;prod", description: "made by hand", ciuser: "admin", sshkeys: encodeURIComponent("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHandMadeHandMadeHandMadeHandMadeHandMade ops@x"), ide2: "local-lvm:cloudinit",
    });
    expect(made.status, JSON.stringify(made)).toBe(200);
    expect(await waitUpid(w, made.data)).toBe("OK");
  });
  afterAll(async () => w.stop());

  it("writes a manifest matching the VM, imports it, and the next plan changes nothing", async () => {
    const r = await cli("import", "VirtualMachine/legacy-db", "pve1/150", "--generate", "legacy-db.yaml");
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain("Wrote legacy-db.yaml.");
    expect(r.stdout).toContain("The next plan changes nothing on it.");
    const doc = parse(await readFile(join(w.dir, "legacy-db.yaml"), "utf8"));
    expect(doc).toEqual({
      apiVersion: "vmsync.io/v1", kind: "VirtualMachine", metadata: { name: "legacy-db" },
      spec: {
        provider: "pve", node: "pve1", vmid: 150, cpu: { cores: 2, sockets: 2, type: "host" }, memory: "3GiB",
        disks: [{ size: "8GiB", storage: "local-lvm" }, { size: "20GiB", storage: "local-lvm", bus: "virtio" }],
        networks: [{ bridge: "vmbr0", vlan: 42, mac: "BC:24:11:AA:BB:01" }],
        cloudInit: { user: "admin", sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHandMadeHandMadeHandMadeHandMadeHandMade ops@x"] },
        tags: ["db", "prod"], description: "made by hand", power: "stopped",
      },
    });
    const plan = await cli("plan", ".", "--detailed-exitcode");
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toContain("No changes.");
    const history = JSON.parse((await cli("history", "--json")).stdout).history;
    expect(history[0]).toMatchObject({ command: "import VirtualMachine/legacy-db pve1/150", result: "succeeded", steps: [{ address: "VirtualMachine/legacy-db", action: "noop" }] });
    expect((await cli("state", "show", "VirtualMachine/legacy-db")).stdout).toContain('"origin": "imported"');
  });

  it("refuses to overwrite a file, an address already in the manifests, and another stack's object", async () => {
    const exists = await cli("import", "VirtualMachine/other", "pve1/150", "--generate", "legacy-db.yaml");
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/legacy-db.yaml exists already/);
    const defined = await cli("import", "VirtualMachine/legacy-db", "pve1/150", "--generate", "x.yaml");
    expect(defined.code).toBe(1);
    expect(defined.stderr).toMatch(/already managed|already in the manifests/);
  });

  it("an import into a hand-written manifest that leaves the NIC out says the next plan would remove it", async () => {
    const made = await pveApi(w, "POST", "/nodes/pve1/qemu", { vmid: 151, name: "app", memory: 1024, scsi0: "local-lvm:4", net0: "virtio,bridge=vmbr0" });
    expect(await waitUpid(w, made.data)).toBe("OK");
    await w.write({ "app.yaml": vmYaml("app", "  memory: 1GiB\n  disks: [{ size: 4GiB }]\n  power: stopped\n") });
    const r = await cli("import", "VirtualMachine/app", "pve1/151");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("The next plan would change it");
    expect(r.stdout).toMatch(/~ networks: \[\{.*"bridge":"vmbr0".*\}\] → \[\]/);
    expect(r.stdout).toContain("--generate FILE");
  });

  it("state rm is recorded in history too", async () => {
    const r = await cli("state", "rm", "VirtualMachine/app");
    expect(r.code, r.stderr).toBe(0);
    const history = JSON.parse((await cli("history", "--json")).stdout).history;
    expect(history[0]).toMatchObject({ command: "state rm VirtualMachine/app", result: "succeeded", steps: [{ address: "VirtualMachine/app" }] });
    const text = (await cli("history")).stdout;
    expect(text).toMatch(/succeeded\s+\S+@\S+\s+state rm VirtualMachine\/app/);
  });
});
