/**
 * `vmsync watch` as a real process against the Proxmox VE simulator (started in this process,
 * over real HTTPS): manifest edits applied, drift made through the Proxmox API reported (observe)
 * and corrected (apply), /metrics and /status scraped, webhooks received, SIGTERM mid-apply
 * leaving state the next apply converges from. Runs the compiled CLI (`npm run build` first;
 * `npm test` does it).
 */
import { writeFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AxiosInstance } from "axios";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProxmoxSimHandle } from "../../src/sim/proxmox/index.js";
import { pveProviderYaml, startPveWorld, type PveWorld } from "../integration/daemon/pve-world.js";
import { runCli } from "../helpers/cli.js";
import type { TempTree } from "../helpers/tmp.js";
import { eventually, startWatch, webhookReceiver, type WatchProcess } from "../integration/daemon/process.js";

const vm = (name: string, memory = "1GiB") => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
spec:
  provider: pve
  memory: ${memory}
  disks: [{ size: 4GiB }]
  networks: [{ model: virtio }]
`;

let world: PveWorld;
let tmp: TempTree;
let sim: ProxmoxSimHandle;
let api: AxiosInstance;
let env: Record<string, string>;
const procs: WatchProcess[] = [];

beforeAll(async () => {
  world = await startPveWorld();
  ({ tmp, sim, api, env } = world);
});
afterAll(async () => world?.close());
afterEach(() => {
  for (const p of procs.splice(0)) p.kill();
});

/** A manifest folder (its name is the stack) with the provider and the given files. */
async function fleet(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(tmp.dir, name);
  await mkdir(dir, { recursive: true });
  for (const [rel, text] of Object.entries({ "pve.yaml": pveProviderYaml, ...files })) await writeFile(join(dir, rel), text);
  return dir;
}

async function guest(name: string): Promise<{ vmid: number; memory: number } | undefined> {
  const list = (await api.get("/nodes/pve1/qemu")).data.data as Array<{ vmid: number; name: string }>;
  const g = list.find((x) => x.name === name);
  if (!g) return undefined;
  const config = (await api.get(`/nodes/pve1/qemu/${g.vmid}/config`)).data.data as { memory: string | number };
  return { vmid: g.vmid, memory: Number(config.memory) };
}

async function watch(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<WatchProcess> {
  const p = await startWatch([dir, ...args], { cwd: tmp.dir, env: { ...env, ...extraEnv } });
  procs.push(p);
  return p;
}

const status = async (p: WatchProcess, token?: string) => {
  const r = await fetch(`${p.url}/status`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return (await r.json()) as Record<string, any>;
};

describe("vmsync watch (process) against the Proxmox simulator", () => {
  it("applies at startup and after a manifest edit; corrects drift made through the API; serves metrics and status; notifies", async () => {
    const dir = await fleet("e2e-apply", { "vms.yaml": vm("wa-web") });
    const hook = await webhookReceiver();
    try {
      const p = await watch(dir, ["--mode", "apply", "--interval", "2s", "--debounce", "200ms", "--webhook", hook.url], { VMSYNC_WATCH_TOKEN: "t0ken" });
      await eventually("the VM to be created", async () => (await guest("wa-web"))?.memory === 1024);
      await eventually("readiness", async () => (await fetch(`${p.url}/readyz`)).status === 200);

      await writeFile(join(dir, "vms.yaml"), vm("wa-web", "2GiB"));
      await eventually("the edit to be applied", async () => (await guest("wa-web"))?.memory === 2048);

      const { vmid } = (await guest("wa-web"))!;
      expect((await api.put(`/nodes/pve1/qemu/${vmid}/config`, new URLSearchParams({ memory: "4096" }))).status).toBe(200);
      await eventually("the drift to be corrected", async () => (await guest("wa-web"))?.memory === 2048 && hook.bodies.some((b: any) => b.type === "drift.detected"));
      const drift = hook.bodies.find((b: any) => b.type === "drift.detected") as any;
      expect(drift).toMatchObject({ formatVersion: 1, stack: "e2e-apply", drift: [{ address: "VirtualMachine/wa-web", type: "changed", paths: expect.arrayContaining(["memory"]) }] });
      expect(hook.bodies).toContainEqual(expect.objectContaining({ type: "apply.succeeded" }));
      expect(JSON.stringify(hook.bodies)).not.toContain(env.PVE_TOKEN_SECRET);

      expect((await fetch(`${p.url}/status`)).status).toBe(401);
      const s = await status(p, "t0ken");
      expect(s).toMatchObject({ formatVersion: 1, stack: "e2e-apply", mode: "apply", ready: true, manifests: { valid: true } });
      await eventually("an in-sync status", async () => (await status(p, "t0ken")).resources?.[0]?.conditions?.[0]?.status === "True");
      const metrics = await (await fetch(`${p.url}/metrics`, { headers: { authorization: "Bearer t0ken" } })).text();
      expect(metrics).toMatch(/vmsync_reconcile_duration_seconds_count\{outcome="reconciled"\} [1-9]/);
      expect(metrics).toMatch(/vmsync_provider_requests_total\{provider="pve",method="GET",status="200"\} [1-9]/);
      expect(metrics).toMatch(/vmsync_step_results_total\{action="update",result="succeeded"\} [1-9]/);
      expect(JSON.stringify(s) + metrics).not.toContain(env.PVE_TOKEN_SECRET);

      expect(await p.stop("SIGTERM")).toBe(0);
      const history = JSON.parse((await runCli(["--json", "history", "-C", dir], { env, cwd: tmp.dir })).stdout || "[]");
      expect(JSON.stringify(history)).toContain("watch --mode apply");
    } finally {
      await hook.close();
    }
  });

  it("in observe mode reports drift made behind its back and changes nothing; a manifest error is reported, not applied", async () => {
    const dir = await fleet("e2e-observe", { "vms.yaml": vm("wo-web") });
    expect((await runCli(["apply", dir, "--auto-approve"], { env, cwd: tmp.dir })).code).toBe(0);
    const { vmid } = (await guest("wo-web"))!;
    await api.put(`/nodes/pve1/qemu/${vmid}/config`, new URLSearchParams({ memory: "3072" }));
    const p = await watch(dir, ["--mode", "observe", "--interval", "1s", "--debounce", "200ms"]);
    const s = await eventually("drift in /status", async () => {
      const doc = await status(p);
      return doc.drift?.length ? doc : undefined;
    });
    expect(s.drift).toEqual([{ address: "VirtualMachine/wo-web", type: "changed", paths: expect.arrayContaining(["memory"]) }]);
    expect(s.resources[0].conditions[0]).toMatchObject({ status: "False", reason: "Drifted" });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await guest("wo-web"))!.memory).toBe(3072);

    await writeFile(join(dir, "vms.yaml"), vm("wo-web", "lots"));
    const bad = await eventually("the manifest error", async () => ((await status(p)).manifests?.valid === false ? status(p) : undefined));
    expect(bad.manifests.errors.join("\n")).toMatch(/vms\.yaml/);
    expect(p.lines.some((l) => l.level === "error" && /nothing is observed or applied/.test(l.msg))).toBe(true);
    expect(await p.stop("SIGINT")).toBe(0);
  });

  it("SIGTERM mid-apply finishes in-flight steps, saves state and exits 0; the next apply converges with no duplicates", async () => {
    const names = ["ws-1", "ws-2", "ws-3", "ws-4", "ws-5", "ws-6"];
    const dir = await fleet("e2e-sigterm", { "vms.yaml": names.map((n) => vm(n)).join("---\n") });
    sim.setKnobs({ taskDurationMs: 600 });
    try {
      const p = await watch(dir, ["--mode", "apply", "--interval", "1h", "--parallelism", "2"]);
      await p.waitLog("a step to start", (l) => / started$/.test(l.msg));
      expect(await p.stop("SIGTERM")).toBe(0);
      expect(p.lines.some((l) => /stopped; state saved/.test(l.msg))).toBe(true);
      const state = JSON.parse(await readFile(join(dir, ".vmsync", "state.json"), "utf8")) as { resources: Record<string, unknown> };
      expect(Object.keys(state.resources).length).toBeLessThan(names.length);
    } finally {
      sim.setKnobs({ taskDurationMs: 5 });
    }
    expect((await runCli(["apply", dir, "--auto-approve"], { env, cwd: tmp.dir })).code).toBe(0);
    const list = (await api.get("/nodes/pve1/qemu")).data.data as Array<{ name: string }>;
    for (const n of names) expect(list.filter((g) => g.name === n)).toHaveLength(1);
    expect((await runCli(["plan", dir, "--detailed-exitcode"], { env, cwd: tmp.dir })).code).toBe(0);
  });
});
