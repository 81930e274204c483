/**
 * The guest layer through the compiled CLI against `startAllSims` (every simulator and the SSH
 * bastion, on port 0): apply mounts a share inside a Proxmox VM; a mount removed by hand is drift
 * that `plan` shows and `apply` corrects, and that `watch --mode apply` corrects by itself; a hung
 * guest is an error of its own (exit 1) that stops nothing else. The guest's login key is an
 * encrypted key file with a passphrase: neither appears in any output, saved plan, state, history or
 * daemon log. Runs `bin/vmsync.js` (`npm run build` first; `npm test` does it).
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { utils } from "../../src/guest/ssh/ssh2.js";
import { generateEd25519 } from "../../src/guest/ssh/keygen.js";
import { simEnvironment, startAllSims } from "../../src/sim/run-all.js";
import { runCli, type CliRun } from "../helpers/cli.js";
import { eventually, startWatch, type WatchProcess } from "../integration/daemon/process.js";
import { providersYaml } from "../integration/guest/world.js";

const PASSPHRASE = "correct horse battery staple 42";
const key = generateEd25519({ passphrase: PASSPHRASE, cipher: "aes256-ctr", rounds: 16, comment: "vmsync@e2e" });

let root: string;
let dir: string;
let env: Record<string, string>;
let sims: Awaited<ReturnType<typeof startAllSims>>;
const outputs: string[] = [];
const procs: WatchProcess[] = [];

async function cli(args: string[]): Promise<CliRun> {
  const r = await runCli(args, { cwd: root, env, timeoutMs: 120_000 });
  outputs.push(r.stdout, r.stderr);
  return r;
}

const manifests = () => ({
  "providers.yaml": `${providersYaml({ proxmox: env.VMSYNC_SIM_PROXMOX_ENDPOINT!, truenas: env.VMSYNC_SIM_TRUENAS_ENDPOINT!, azure: env.VMSYNC_SIM_AZURE_ENDPOINT! })}---
apiVersion: vmsync.io/v1
kind: NfsShare
metadata: { name: media }
spec: { provider: nas, size: 10GiB }
`,
  "vm.yaml": `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: gw }
spec:
  provider: pve
  memory: 1GiB
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
  cloudInit: { user: ops, sshKeys: ["${key.public.trim()}"] }
  guest:
    ssh:
      user: ops
      privateKey: { file: keys/id_ed25519 }
      passphrase: { env: GUEST_PASSPHRASE }
      via:
        address: 127.0.0.1
        port: ${env.VMSYNC_SIM_GUEST_PORT}
        user: vmsync
        privateKey: { env: VMSYNC_SIM_GUEST_PRIVATE_KEY }
        hostKey: { env: VMSYNC_SIM_GUEST_HOST_KEY }
      connectTimeout: 30s
    mounts:
      - { share: media, path: /srv/media }
`,
  "keys/id_ed25519": key.private,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vmsync-e2e-guest-"));
  sims = await startAllSims({ dir: join(root, "sim"), ports: { proxmox: 0, truenas: 0, azure: 0, guest: 0 }, knobs: { taskDurationMs: 5, guestBootMs: 500 } });
  env = { ...simEnvironment(sims.announcement), GUEST_PASSPHRASE: PASSPHRASE };
  dir = join(root, "fleet");
  for (const [rel, text] of Object.entries(manifests())) {
    await mkdir(join(dir, rel, ".."), { recursive: true });
    await writeFile(join(dir, rel), text, { mode: 0o600 });
  }
});
afterEach(() => {
  for (const p of procs.splice(0)) p.kill();
});
afterAll(async () => {
  await sims?.close();
  await rm(root, { recursive: true, force: true });
});

const mounted = () => sims.guests.admin.guest("gw")?.mounts.map((m) => m.target) ?? [];

describe("vmsync and the guests (CLI)", () => {
  it("applies: the VM, then inside it (after it boots) the share's fstab line and mount", async () => {
    const r = await cli(["apply", "fleet", "--auto-approve", "--no-color"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("VirtualMachine/gw@guest will be created inside its VM, over SSH");
    expect(r.stdout).toMatch(/VirtualMachine\/gw@guest: Creation complete after \d+s \[id=VirtualMachine\/gw#SHA256:/);
    expect(mounted()).toEqual(["/srv/media"]);
    expect((await cli(["plan", "fleet", "--detailed-exitcode"])).code).toBe(0);
  });

  it("vmsync status shows the VM's address and its guest in sync", async () => {
    const r = await cli(["--json", "status", "fleet"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = (JSON.parse(r.stdout) as { resources: Array<{ address: string; addresses: string[]; sync: { state: string } }> }).resources;
    expect(rows.find((x) => x.address === "VirtualMachine/gw")?.addresses).toEqual([expect.stringMatching(/^10\.10\.\d+\.\d+$/)]);
    expect(rows.find((x) => x.address === "VirtualMachine/gw@guest")?.sync.state).toBe("in-sync");
  });

  it("shows a mount removed by hand as drift; apply mounts it again", async () => {
    expect(sims.guests.admin.run("gw", "umount /srv/media").code).toBe(0);
    const p = await cli(["plan", "fleet", "--detailed-exitcode", "--no-color"]);
    expect(p.code, p.stdout + p.stderr).toBe(2);
    expect(p.stdout).toContain("! VirtualMachine/gw@guest: mounts./srv/media.mounted was true, is now false");
    expect(p.stdout).toContain("~ mounts./srv/media.mounted: false → true");
    expect((await cli(["apply", "fleet", "--auto-approve"])).code).toBe(0);
    expect(mounted()).toEqual(["/srv/media"]);
  });

  it("reports a guest that does not answer as its own error (exit 1); the rest is planned", async () => {
    // a short login timeout for this test only (the others allow a loaded machine 30 s)
    const vmFile = join(dir, "vm.yaml");
    const text = await readFile(vmFile, "utf8");
    await writeFile(vmFile, text.replace("connectTimeout: 30s", "connectTimeout: 5s"));
    sims.guests.admin.hang("gw", true);
    try {
      const p = await cli(["plan", "fleet", "--no-color"]);
      expect(p.code).toBe(1);
      expect(p.stdout).toMatch(/error: VirtualMachine\/gw@guest could not be read: cannot reach the guest of VirtualMachine\/gw at 10\.10\.\d+\.\d+:22: no SSH login within 5s \(timed out\)\n  hint: The machine did not answer SSH in time/);
      const j = JSON.parse((await cli(["plan", "fleet", "--json"])).stdout) as { steps: Array<{ address: string; error?: { code: string } }> };
      expect(j.steps.find((s) => s.address === "VirtualMachine/gw@guest")?.error?.code).toBe("GUEST_TIMEOUT");
    } finally {
      sims.guests.admin.hang("gw", false);
      await writeFile(vmFile, text);
    }
  });

  it("a guest key that cannot be used (wrong passphrase) is a plain error with the guest's hint, in plan and apply; nothing is changed", async () => {
    const wrong = { ...env, GUEST_PASSPHRASE: "not the passphrase" };
    const p = await runCli(["plan", "fleet", "--no-color"], { cwd: root, env: wrong, timeoutMs: 120_000 });
    expect(p.code, p.stderr).toBe(1);
    expect(p.stdout).toMatch(/error: VirtualMachine\/gw@guest could not be read: cannot use the private key for the guest of VirtualMachine\/gw: .*\n  hint: Check ssh\.privateKey \(and ssh\.passphrase when the key is encrypted\)/);
    const a = await runCli(["apply", "fleet", "--auto-approve", "--no-color"], { cwd: root, env: wrong, timeoutMs: 120_000 });
    expect(a.code, a.stderr).toBe(1);
    expect(a.stderr).toMatch(/^error: 1 resource was not read, so not changed:\n {2}- VirtualMachine\/gw@guest: cannot use the private key/m);
    for (const r of [p, a]) expect(r.stdout + r.stderr).not.toMatch(/internal error|a bug in vmsync|not the passphrase/);
    expect(mounted()).toEqual(["/srv/media"]);
  });

  it("watch --mode apply puts back a mount removed by hand", async () => {
    const w = await startWatch([dir, "--mode", "apply", "--interval", "2s"], { cwd: root, env });
    procs.push(w);
    await w.waitLog("a first pass", (l) => l.msg.includes("pass") || l.msg.includes("reconcil"), 60_000);
    expect(sims.guests.admin.run("gw", "umount /srv/media").code).toBe(0);
    expect(mounted()).toEqual([]);
    await eventually("the mount to be put back by the daemon", () => mounted().length === 1, 60_000);
    await w.stop();
    outputs.push(w.stderr(), JSON.stringify(w.lines));
  }, 90_000);

  it("never shows, logs or stores the private key or its passphrase", async () => {
    outputs.push((await cli(["plan", "fleet", "--json"])).stdout);
    const saved = await cli(["plan", "fleet", "-o", join(root, "plan.json")]);
    expect(saved.code).toBe(0);
    outputs.push(await readFile(join(root, "plan.json"), "utf8"));
    const shown = await cli(["state", "-C", "fleet", "show", "VirtualMachine/gw@guest"]);
    expect(shown.code, shown.stderr).toBe(0);
    const vm = await cli(["state", "-C", "fleet", "show", "VirtualMachine/gw"]);
    expect(vm.code, vm.stderr).toBe(0);
    expect(JSON.parse(vm.stdout)).toMatchObject({ address: "VirtualMachine/gw", status: { addresses: [expect.stringMatching(/^10\.10\.\d+\.\d+$/)] } });
    const history = await cli(["--json", "history", "-C", "fleet"]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain("VirtualMachine/gw@guest");
    for (const f of await readdir(join(dir, ".vmsync"), { recursive: true })) {
      const text = await readFile(join(dir, ".vmsync", String(f)), "utf8").catch(() => "");
      outputs.push(text);
    }
    const all = outputs.join("\n");
    expect(all).toContain("VirtualMachine/gw@guest"); // the outputs are really there
    expect(all).not.toContain(PASSPHRASE);
    const secretLines = [...key.private.split("\n"), ...sims.announcement.guest!.privateKey!.split("\n")].filter((l) => l.length > 20 && !l.startsWith("-----"));
    for (const line of secretLines) expect(all).not.toContain(line);
    expect(all).not.toContain("PRIVATE KEY-----");
  });
});
