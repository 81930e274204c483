/**
 * `vmsync watch` as a real process against the Proxmox VE simulator: following a git repository
 * (each new commit applied and recorded in history), and a snapshot schedule taking and pruning
 * snapshots. Schedules run on the hidden test clock `VMSYNC_TEST_CLOCK=START@SPEED`, which only
 * the schedule runner reads: at speed 60 a `* * * * *` schedule fires every real second while
 * slots, snapshot names and history times are still computed from cron in UTC.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AxiosInstance } from "axios";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pveProviderYaml, startPveWorld, type PveWorld } from "../integration/daemon/pve-world.js";
import { runCli } from "../helpers/cli.js";
import type { TempTree } from "../helpers/tmp.js";
import { git } from "../integration/daemon/git.js";
import { eventually, startWatch, type WatchProcess } from "../integration/daemon/process.js";

const vm = (name: string, cores = 1) => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
spec:
  provider: pve
  memory: 1GiB
  cpu: { cores: ${cores} }
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
`;

let world: PveWorld;
let tmp: TempTree;
let api: AxiosInstance;
let env: Record<string, string>;
const procs: WatchProcess[] = [];

beforeAll(async () => {
  world = await startPveWorld();
  ({ tmp, api, env } = world);
});
afterAll(async () => world?.close());
afterEach(() => {
  for (const p of procs.splice(0)) p.kill();
});

async function guest(name: string): Promise<{ vmid: number; cores: number } | undefined> {
  const list = (await api.get("/nodes/pve1/qemu")).data.data as Array<{ vmid: number; name: string }>;
  const g = list.find((x) => x.name === name);
  if (!g) return undefined;
  const config = (await api.get(`/nodes/pve1/qemu/${g.vmid}/config`)).data.data as { cores?: number };
  return { vmid: g.vmid, cores: Number(config.cores ?? 1) };
}

describe("vmsync watch (process): git and schedules", () => {
  it("follows a git branch: applies each new commit and records it in history", async () => {
    const origin = join(tmp.dir, "origin");
    await mkdir(join(origin, "fleet"), { recursive: true });
    await writeFile(join(origin, "fleet", "pve.yaml"), pveProviderYaml);
    await writeFile(join(origin, "fleet", "vms.yaml"), vm("wg-web"));
    await git(origin, "init", "-q");
    await git(origin, "add", ".");
    await git(origin, "commit", "-qm", "first");
    const workdir = join(tmp.dir, "gitwatch");
    const p = await startWatch(["fleet", "--git", origin, "--branch", "main", "--poll", "1s", "--workdir", workdir, "--mode", "apply", "--interval", "1h", "--stack", "e2e-git"], { cwd: tmp.dir, env });
    procs.push(p);
    await eventually("the first commit to be applied", async () => (await guest("wg-web"))?.cores === 1);

    await writeFile(join(origin, "fleet", "vms.yaml"), vm("wg-web", 2));
    await git(origin, "commit", "-qam", "two cores");
    const second = await git(origin, "rev-parse", "HEAD");
    await eventually("the second commit to be applied", async () => (await guest("wg-web"))?.cores === 2);
    const status = await eventually("the revision in /status", async () => {
      const s = (await (await fetch(`${p.url}/status`)).json()) as { revision?: string };
      return s.revision === second ? s : undefined;
    });
    expect(status).toMatchObject({ source: { git: { url: origin, branch: "main" } } });
    expect(await p.stop()).toBe(0);
    const history = JSON.parse((await runCli(["--json", "history", "-C", workdir, "--stack", "e2e-git"], { env, cwd: tmp.dir })).stdout).history as Array<{ command: string; revision?: string }>;
    expect(history.filter((h) => h.command.startsWith("watch")).map((h) => h.revision)).toContain(second);
  });

  it("takes snapshots on schedule and prunes beyond retention (fast test clock)", async () => {
    const dir = join(tmp.dir, "e2e-sched");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "pve.yaml"), pveProviderYaml);
    await writeFile(join(dir, "vms.yaml"), vm("wsch-db"));
    await writeFile(join(dir, "snap.yaml"), `apiVersion: vmsync.io/v1
kind: SnapshotSchedule
metadata:
  name: minutely
spec:
  targets: [{ kind: VirtualMachine, name: wsch-db }]
  schedule: "* * * * *"
  retention: { keepLast: 2 }
`);
    const p = await startWatch([dir, "--mode", "apply", "--interval", "1h"], { cwd: tmp.dir, env: { ...env, VMSYNC_TEST_CLOCK: "now@60" } });
    procs.push(p);
    const snapshots = async () => {
      const g = await guest("wsch-db");
      if (!g) return [];
      const list = (await api.get(`/nodes/pve1/qemu/${g.vmid}/snapshot`)).data.data as Array<{ name: string }>;
      return list.map((s) => s.name).filter((n) => n.startsWith("vmsync-minutely-")).sort();
    };
    await p.waitLog("four schedule runs", () => p.lines.filter((l) => /snapshot schedule minutely succeeded/.test(l.msg)).length >= 4, 30_000);
    const names = await snapshots();
    expect(names.length).toBe(2);
    expect(names.every((n) => /^vmsync-minutely-\d{12}$/.test(n))).toBe(true);
    expect(p.lines.some((l) => /snapshot schedule minutely succeeded/.test(l.msg) && Array.isArray(l.pruned))).toBe(true);
    expect(await p.stop()).toBe(0);
    const history = JSON.parse((await runCli(["--json", "history", "-C", dir, "-n", "50"], { env, cwd: tmp.dir })).stdout).history as Array<{ command: string }>;
    expect(history.filter((h) => h.command === "snapshot run minutely").length).toBeGreaterThanOrEqual(4);
  });
});
