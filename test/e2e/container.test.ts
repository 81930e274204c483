import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { createInterface } from "node:readline";
import axios, { type AxiosInstance } from "axios";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";

/**
 * Containers end to end: the CLI as a process against `vmsync sim` as a process — create, update
 * (cores, memory, rootfs grow, a mount point added), a change that needs a restart, a snapshot
 * round, drift made through the Proxmox API shown and corrected, `vmsync import`, and delete; every
 * second plan is empty, and the root password never shows.
 */
const provider = `apiVersion: vmsync.io/v1
kind: Provider
metadata: { name: pve }
spec:
  type: proxmox
  endpoint: { env: PVE_ENDPOINT }
  tls: { caFile: { env: PVE_CA } }
  auth: { username: root@pam, password: { env: PVE_PASSWORD } }
  defaults: { node: pve1, storage: local-lvm, bridge: vmbr0 }
`;
const app = (o: { cores: number; memory: string; rootfs: string; extraMount?: boolean; fuse?: boolean }) => `apiVersion: vmsync.io/v1
kind: Container
metadata: { name: app, labels: { tier: app } }
spec:
  provider: pve
  ostemplate: local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst
  cores: ${o.cores}
  memory: ${o.memory}
  swap: 0MiB
  rootfs: { size: ${o.rootfs} }
  mountPoints:
    - { path: /data, size: 1GiB }
${o.extraMount ? "    - { path: /srv/logs, size: 512MiB }\n" : ""}  networks: [{ ip: dhcp }]
  features: { nesting: true${o.fuse ? ", fuse: true" : ""} }
  rootPassword: { env: APP_ROOT_PASSWORD }
---
apiVersion: vmsync.io/v1
kind: SnapshotSchedule
metadata: { name: hourly }
spec:
  targets: [{ kind: Container, selector: { matchLabels: { tier: app } } }]
  schedule: hourly
  retention: { keepLast: 2 }
`;

describe("Containers through the CLI against vmsync sim", () => {
  let tree: TempTree;
  let sim: ChildProcess;
  let env: Record<string, string>;
  let pve: AxiosInstance;
  const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env });
  const write = (file: string, text: string) => writeFile(join(tree.dir, "stack", file), text);
  const vmidOf = async (name: string) => ((await pve.get("/nodes/pve1/lxc")).data.data as Array<{ vmid: number; name: string }>).find((e) => e.name === name)?.vmid;

  beforeAll(async () => {
    tree = await tempTree({ "stack/pve.yaml": provider, "stack/app.yaml": app({ cores: 1, memory: "512MiB", rootfs: "4GiB" }) });
    sim = spawn(process.execPath, [BIN, "sim", "--dir", join(tree.dir, "world"), "--proxmox-port", "0", "--truenas-port", "0", "--azure-port", "0", "--guest-port", "0", "--task-ms", "5"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => createInterface({ input: sim.stdout! }).once("line", resolve));
    const p = (JSON.parse(line) as Record<string, Record<string, string>>).proxmox!;
    env = { PVE_ENDPOINT: p.endpoint!, PVE_CA: p.caFile!, PVE_PASSWORD: p.password!, APP_ROOT_PASSWORD: "app-root-secret" };
    pve = axios.create({
      baseURL: `${p.endpoint}/api2/json`, httpsAgent: new Agent({ ca: readFileSync(p.caFile!) }), validateStatus: () => true,
      headers: { Authorization: `PVEAPIToken=${p.tokenId}=${p.tokenSecret}` },
    });
  });
  afterAll(async () => {
    sim.kill("SIGTERM");
    await new Promise((r) => sim.once("close", r));
    await tree.cleanup();
  });

  it("creates the container; the root password shows only as (sensitive); the next plan is empty", async () => {
    const plan = await cli("plan", "stack", "--no-color");
    expect(plan.stdout).toContain("+ Container/app");
    expect(plan.stdout).toContain("rootPassword = (sensitive)");
    const apply = await cli("apply", "stack", "--auto-approve", "--no-color");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Container/app: Creation complete");
    expect(apply.stdout + apply.stderr + plan.stdout).not.toContain("app-root-secret");
    expect(await readFileSafe(join(tree.dir, "stack", ".vmsync", "state.json"))).not.toContain("app-root-secret");
    const again = await cli("plan", "stack", "--detailed-exitcode", "--no-color");
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it("updates cores, memory, rootfs (grow) and adds a mount point in place; the next plan is empty", async () => {
    await write("app.yaml", app({ cores: 2, memory: "1GiB", rootfs: "6GiB", extraMount: true }));
    const plan = await cli("plan", "stack", "--json");
    const step = (JSON.parse(plan.stdout) as { steps: Array<{ address: string; action: string; changes: Array<{ path: string; effect: string }> }> }).steps.find((s) => s.address === "Container/app")!;
    expect(step.action).toBe("update");
    expect(step.changes.map((c) => `${c.path}:${c.effect}`).sort()).toEqual(["cores:in-place", "memory:in-place", "mountPoints.mp1:in-place", "rootfs.size:in-place"]);
    const apply = await cli("apply", "stack", "--auto-approve");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const vmid = await vmidOf("app");
    const c = (await pve.get(`/nodes/pve1/lxc/${vmid}/config`)).data.data;
    expect(c).toMatchObject({ cores: 2, memory: 1024, rootfs: `local-lvm:vm-${vmid}-disk-0,size=6G`, mp1: `local-lvm:vm-${vmid}-disk-2,mp=/srv/logs,size=512M` });
    expect((await cli("plan", "stack", "--detailed-exitcode")).code).toBe(0);
  });

  it("restarts the container for a change that stays pending on a running one", async () => {
    await write("app.yaml", app({ cores: 2, memory: "1GiB", rootfs: "6GiB", extraMount: true, fuse: true }));
    const plan = await cli("plan", "stack", "--no-color");
    expect(plan.stdout).toMatch(/features\.fuse.*after restart|restart/);
    const apply = await cli("apply", "stack", "--auto-approve");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const vmid = await vmidOf("app");
    const reboots = (await pve.get("/nodes/pve1/tasks", { params: { vmid, typefilter: "vzreboot" } })).data.data as Array<{ status: string }>;
    expect(reboots.map((t) => t.status)).toEqual(["OK"]);
    expect((await pve.get(`/nodes/pve1/lxc/${vmid}/pending`)).data.data.filter((e: { pending?: unknown }) => e.pending !== undefined)).toEqual([]);
    expect((await cli("plan", "stack", "--detailed-exitcode")).code).toBe(0);
  });

  it("takes the schedule's snapshot of the container", async () => {
    const r = await cli("snapshot", "run", "hourly", "stack", "--json");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const results = (JSON.parse(r.stdout) as { results: Array<{ target: string; created?: string; error?: string }> }).results;
    expect(results).toEqual([expect.objectContaining({ target: "Container/app", created: expect.stringMatching(/^vmsync-hourly-\d{12}$/) })]);
    const snaps = (await pve.get(`/nodes/pve1/lxc/${await vmidOf("app")}/snapshot`)).data.data as Array<{ name: string }>;
    expect(snaps.map((s) => s.name)).toContain(results[0]!.created);
  });

  it("restarts the container on request, and takes, lists and rolls back an ad hoc snapshot", async () => {
    const vmid = await vmidOf("app");
    const restart = await cli("restart", "Container/app", "-C", "stack");
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    const reboots = (await pve.get("/nodes/pve1/tasks", { params: { vmid, typefilter: "vzreboot" } })).data.data as Array<{ status: string }>;
    expect(reboots.map((t) => t.status)).toEqual(["OK", "OK"]);
    expect((await cli("snapshot", "create", "Container/app", "--name", "before-upgrade", "-C", "stack")).code).toBe(0);
    const list = await cli("snapshot", "list", "Container/app", "-C", "stack", "--json");
    expect(list.stdout).toContain("before-upgrade");
    const back = await cli("snapshot", "rollback", "Container/app", "before-upgrade", "-C", "stack", "--auto-approve");
    expect(back.code, back.stdout + back.stderr).toBe(0);
    const rollbacks = (await pve.get("/nodes/pve1/tasks", { params: { vmid, typefilter: "vzrollback" } })).data.data as Array<{ status: string }>;
    expect(rollbacks.map((t) => t.status)).toEqual(["OK"]);
    expect((await pve.get(`/nodes/pve1/lxc/${vmid}/status/current`)).data.data.status).toBe("running");
    const history = await cli("--json", "history", "-C", "stack");
    expect(history.stdout).toMatch(/"restart"[\s\S]*Container\/app|Container\/app[\s\S]*"restart"/);
  });

  it("shows drift made through the Proxmox API and corrects it", async () => {
    const vmid = await vmidOf("app");
    expect((await pve.put(`/nodes/pve1/lxc/${vmid}/config`, new URLSearchParams({ cores: "8", memory: "2048" }))).status).toBe(200);
    const plan = await cli("plan", "stack", "--detailed-exitcode", "--no-color");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/cores.*8.*2/s);
    expect(plan.stdout).toContain("memory");
    expect((await cli("apply", "stack", "--auto-approve")).code).toBe(0);
    expect((await pve.get(`/nodes/pve1/lxc/${vmid}/config`)).data.data).toMatchObject({ cores: 2, memory: 1024 });
    expect((await cli("plan", "stack", "--detailed-exitcode")).code).toBe(0);
  });

  it("imports a container made outside vmsync without changing it, then converges it", async () => {
    const made = await pve.post("/nodes/pve1/lxc", new URLSearchParams({ vmid: "777", ostemplate: "local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz", hostname: "legacy", rootfs: "local-lvm:1", memory: "256", swap: "0" }));
    expect(made.status, made.statusText).toBe(200);
    const upid = made.data.data as string;
    while ((await pve.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).data.data.status !== "stopped") await new Promise((r) => setTimeout(r, 10));
    await write("legacy.yaml", "apiVersion: vmsync.io/v1\nkind: Container\nmetadata: { name: legacy }\nspec:\n  provider: pve\n  ostemplate: local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz\n  memory: 256MiB\n  swap: 0MiB\n  rootfs: { size: 1GiB }\n  power: stopped\n");
    const blocked = await cli("plan", "stack", "--no-color");
    expect(blocked.stdout).toContain("vmsync import Container/legacy pve1/777");
    const imp = await cli("import", "Container/legacy", "pve1/777", "stack");
    expect(imp.code, imp.stdout + imp.stderr).toBe(0);
    expect((await pve.get("/nodes/pve1/lxc/777/config")).data.data.description).toBeUndefined();
    const plan = await cli("plan", "stack", "--no-color");
    expect(plan.stdout).toContain("~ Container/legacy");
    expect((await cli("apply", "stack", "--auto-approve")).code).toBe(0);
    expect((await pve.get("/nodes/pve1/lxc/777/config")).data.data.description).toContain("address=Container%2Flegacy ostemplate=");
    expect((await cli("plan", "stack", "--detailed-exitcode")).code).toBe(0);
  });

  it("creates a container from a saved plan, which keeps the password's reference (never the password)", async () => {
    await write("saved.yaml", "apiVersion: vmsync.io/v1\nkind: Container\nmetadata: { name: saved }\nspec:\n  provider: pve\n  ostemplate: local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz\n  rootfs: { size: 1GiB }\n  rootPassword: { env: APP_ROOT_PASSWORD }\n");
    const plan = await cli("plan", "stack", "--target", "Container/saved", "-o", "plan.json");
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const saved = readFileSync(join(tree.dir, "plan.json"), "utf8");
    expect(saved).toContain('"rootPassword": "env:APP_ROOT_PASSWORD"');
    expect(saved).not.toContain("app-root-secret");
    const apply = await cli("apply", "plan.json");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Container/saved: Creation complete");
    const vmid = await vmidOf("saved");
    const world = (await axios.get(`${env.PVE_ENDPOINT}/_sim/world`, { httpsAgent: new Agent({ ca: readFileSync(env.PVE_CA!) }) })).data as { vms: Record<string, { guestFs?: { rootPasswordSha256?: string } }> };
    expect(world.vms[String(vmid)]!.guestFs?.rootPasswordSha256).toBe(createHash("sha256").update("app-root-secret").digest("hex"));
    // (where a saved plan's apply records state is issue #11's; this test leaves no trace either way)
    expect((await pve.delete(`/nodes/pve1/lxc/${vmid}`, { params: { force: 1 } })).status).toBe(200);
    await rm(join(tree.dir, "stack", "saved.yaml"));
    while (await vmidOf("saved")) await new Promise((r) => setTimeout(r, 10));
  });

  it("deletes containers whose manifests are gone", async () => {
    await rm(join(tree.dir, "stack", "app.yaml"));
    await rm(join(tree.dir, "stack", "legacy.yaml"));
    const apply = await cli("apply", "stack", "--auto-approve", "--no-color", "--allow-mass-delete");
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/Container\/app: Destruction complete/);
    expect((await pve.get("/nodes/pve1/lxc")).data.data).toEqual([]);
    expect((await cli("plan", "stack", "--detailed-exitcode")).code).toBe(0);
  });
});

async function readFileSafe(path: string): Promise<string> {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
