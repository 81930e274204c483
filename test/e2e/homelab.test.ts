import { spawn, type ChildProcess } from "node:child_process";
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";

/**
 * examples/clusters/homelab, unedited, against `vmsync sim` as a process: a TrueNAS NFS share
 * attached to the Proxmox cluster as storage, worker VMs cloned from a template onto it, a VM on
 * TrueNAS, and a nightly schedule — native TrueNAS tasks for the share and the TrueNAS VM,
 * vmsync-taken snapshots for the Proxmox workers.
 */
describe("examples/clusters/homelab against vmsync sim", () => {
  let tree: TempTree;
  let sim: ChildProcess;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env });

  beforeAll(async () => {
    tree = await tempTree({});
    await cp("examples/clusters/homelab", join(tree.dir, "homelab"), { recursive: true });
    sim = spawn(process.execPath, [BIN, "sim", "--dir", join(tree.dir, "world"), "--proxmox-port", "0", "--truenas-port", "0", "--azure-port", "0", "--guest-port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => createInterface({ input: sim.stdout! }).once("line", resolve));
    const a = JSON.parse(line) as Record<string, Record<string, string>>;
    env = {
      PVE_ENDPOINT: a.proxmox!.endpoint!, PVE_CA_FILE: a.proxmox!.caFile!, PVE_ROOT_PASSWORD: a.proxmox!.password!, JELLYFIN_ROOT_PASSWORD: "jellyfin-root-secret",
      TRUENAS_ENDPOINT: a.truenas!.endpoint!, TRUENAS_CA_FILE: a.truenas!.caFile!, TRUENAS_API_KEY: a.truenas!.apiKey!,
    };
  });
  afterAll(async () => {
    sim.kill("SIGTERM");
    await new Promise((r) => sim.once("close", r));
    await tree.cleanup();
  });

  it("applies end to end, converges, and takes the nightly snapshots", async () => {
    const apply = await cli("apply", "homelab", "--auto-approve");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 12 created");
    for (const a of ["NfsShare/vmstore", "NfsShare/vmstore@pve", "NfsShare/media@pve", "Container/jellyfin", "VmTemplate/debian-12", "VirtualMachine/k3s-worker-3", "VirtualMachine/media", "SnapshotSchedule/nightly@truenas", "SnapshotSchedule/nightly"]) {
      expect(apply.stdout).toContain(`${a}: Creation complete`);
    }
    const plan = await cli("plan", "homelab", "--detailed-exitcode");
    expect(plan.code, plan.stdout).toBe(0);
    const snap = await cli("snapshot", "run", "nightly", "homelab", "--json");
    expect(snap.code, snap.stdout + snap.stderr).toBe(0);
    const results = (JSON.parse(snap.stdout) as { results: Array<{ target: string; created?: string; error?: string }> }).results;
    expect(results.map((r) => r.target).sort()).toEqual(["VirtualMachine/k3s-worker-1", "VirtualMachine/k3s-worker-2", "VirtualMachine/k3s-worker-3"]);
    expect(results.every((r) => r.created && !r.error)).toBe(true);
  }, 120_000);
});
