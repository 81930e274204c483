/**
 * `vmsync status`, `restart` and `snapshot list|create|rollback|run` as real processes against the
 * three simulators (examples/clusters/demo): the fleet with placement and power from the bulk
 * observe, drift made through the Proxmox API shown with its field, restarts and snapshots done
 * through each provider's API and recorded in history, protection honoured, and an unreachable
 * provider reported without hiding the rest. The apply, the table and `status --watch` run the
 * compiled CLI as a process (`npm test` builds first); the other commands run in this process
 * (`run()` of main.ts, the same code) to keep the suite fast.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extraSchemaFiles } from "../../src/schemas.js";
import type { FleetReport } from "../../src/status/fleet-schema.js";
import { BIN, runCli, type CliRun } from "../helpers/cli.js";
import { runInProcess } from "../integration/state-postgres/cli-io.js";
import { startDemoWorld, vmidOf, type DemoWorld } from "../helpers/demo-world.js";

let w: DemoWorld;
/** The demo's environment with an empty price cache: status prices with the table shipped with vmsync. */
const env = () => ({ ...w.env, NO_COLOR: "1", XDG_CACHE_HOME: join(w.tmp.dir, "no-cache") });
const processRun = (args: string[]): Promise<CliRun> => runCli(args, { cwd: w.tmp.dir, env: env() });
const vmsync = (args: string[]) => runInProcess(args, { cwd: w.tmp.dir, env: env() });
const status = async (): Promise<FleetReport> => JSON.parse((await vmsync(["--json", "status", "demo"])).stdout) as FleetReport;
const row = (r: FleetReport, address: string) => r.resources.find((x) => x.address === address)!;

beforeAll(async () => {
  w = await startDemoWorld();
  const applied = await processRun(["apply", "demo", "--auto-approve"]);
  expect(applied.code, applied.stderr + applied.stdout).toBe(0);
}, 120_000);
afterAll(async () => w?.close());

describe("vmsync status / restart / snapshot against the simulators", () => {
  it("shows every managed resource in sync with where it runs, its power and Azure cost, then every provider's capacity, valid against schemas/status.schema.json", async () => {
    const r = await status();
    const validate = new Ajv2020({ strict: false }).compile(extraSchemaFiles()["status.schema.json"]!);
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(r.summary).toMatchObject({ total: 17, "in-sync": 17 });
    expect(row(r, "VirtualMachine/web-1")).toMatchObject({ provider: "pve", placement: "pve1", power: "running", lastApplied: { command: "apply", by: expect.stringContaining("@") } });
    expect(row(r, "VirtualMachine/k8s-cp")).toMatchObject({ provider: "nas", placement: "tank", power: "running" });
    expect(row(r, "VirtualMachine/dev")).toMatchObject({ provider: "cloud", placement: "eastus2", power: "running" });
    expect(row(r, "VirtualMachine/db").protect).toBe(true);
    expect(row(r, "SnapshotSchedule/nightly").schedule).toMatchObject({ cron: "0 3 * * *", native: false, nextRun: expect.any(String) });
    expect(row(r, "SnapshotSchedule/nightly@nas").schedule).toMatchObject({ native: true });
    // the Azure resources priced as they are with the shipped table: its eastus2 D2s_v5 and Azure Files
    // prices; it has no P6 tier (the dev VM's 64 GiB Premium disk), which is unknown, never 0
    expect(row(r, "VirtualMachine/dev").cost).toMatchObject({ currency: "USD", monthly: 70.08, unknown: 1, lines: [{ component: "compute", monthly: 70.08 }, { component: "os-disk", meter: "disk/eastus2/P6 LRS", monthly: null }] });
    expect(row(r, "NfsShare/team-files").cost).toMatchObject({ monthly: 16, unknown: 0 });
    expect(row(r, "VirtualMachine/web-1").cost).toBeUndefined();
    expect(r.cost).toEqual({ currency: "USD", priceDate: "2026-07-24", priceTable: "shipped", monthly: 86.08, unknown: 1 });
    const pools = (provider: string) => new Map(r.sections.find((s) => s.type === "capacity" && s.provider === provider)!.pools!.map((p) => [p.key, p]));
    // what the simulators report: pve1's running guests (web-1, web-2, db, the container) and its storages
    expect(pools("pve").get("node/pve1/memory")).toMatchObject({ unit: "bytes", used: (4 + 4 + 8) * 1024 ** 3 + 512 * 1024 ** 2, total: 128 * 1024 ** 3, status: "ok" });
    expect(pools("pve").get("node/pve1/cores")).toMatchObject({ used: 2 + 2 + 4 + 1, physical: 16, total: 64 });
    expect(pools("pve").get("storage/pve1/local-lvm")!.used).toBeGreaterThan(0);
    expect(pools("nas").get("pool/tank")).toMatchObject({ used: expect.any(Number), free: expect.any(Number) });
    expect(pools("cloud").get("quota/eastus2/cores")).toMatchObject({ used: 2, total: 100 });
    expect(pools("cloud").get("quota/eastus2/standardDSv5Family")).toMatchObject({ used: 2 });
    expect(pools("cloud").has("quota/eastus2/standardBSFamily")).toBe(false); // nothing uses it: counted in a note
  });

  it("reports drift made through the Proxmox API with the field, in the table and in JSON", async () => {
    const vmid = await vmidOf(w, "web-1");
    expect((await w.pve.put(`/nodes/pve1/qemu/${vmid}/config`, new URLSearchParams({ memory: "6144" }))).status).toBe(200);
    expect(row(await status(), "VirtualMachine/web-1").sync).toMatchObject({ state: "drifted", fields: ["memory"] });
    const text = await processRun(["status", "demo"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^VirtualMachine\/web-1\s+pve\s+pve1\s+running\s+10\.10\.\d+\.\d+\s+drifted: memory\s/m); // its address from the guest agent
    expect(text.stdout).toContain("17 resources: 16 in sync, 1 drifted.");
    expect(text.stdout).toMatch(/^VirtualMachine\/dev\s+cloud\s+eastus2\s+running\s+\S+\s+in sync\s+\$70\.08 \+ unknown\s/m);
    expect(text.stdout).toMatch(/^NfsShare\/team-files\s+.*in sync\s+\$16\.00\s/m);
    expect(text.stdout).toMatch(/^Container\/cache\s+.*in sync\s+-\s/m);
    expect(text.stdout).toContain("Monthly cost now: $86.08 + unknown (1 resource not fully priced");
    expect(text.stdout).toMatch(/^Capacity of pve \(proxmox\)\nPOOL\s+USED\s+FREE\s+TOTAL\s+USE\n/m);
    expect(text.stdout).toMatch(/^node pve1 memory\s+16\.5GiB\s+111\.5GiB\s+128GiB\s+13 %$/m);
    expect(text.stdout).toMatch(/^pool tank\s+\S+\s+\S+\s+\S+\s+\d+ %$/m);
    expect(text.stdout).toMatch(/^Total Regional vCPUs in eastus2\s+2 vCPUs\s+98 vCPUs\s+100 vCPUs\s+2 %$/m);
  });

  it("status --watch --json prints one report per refresh and stops cleanly on SIGINT", async () => {
    const child = spawn(process.execPath, [BIN, "--json", "status", "demo", "--watch", "--interval", "300ms"], { cwd: w.tmp.dir, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env() }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d;
        if (out.split("\n").filter(Boolean).length >= 2) resolve();
      });
      child.once("exit", () => reject(new Error(`exited early: ${out}`)));
    });
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const reports = out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as FleetReport);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports[1]!.generatedAt > reports[0]!.generatedAt).toBe(true);
    expect(reports[1]!.sections.filter((s) => s.type === "capacity").map((s) => s.provider)).toEqual(["cloud", "nas", "pve"]);
    expect(reports[1]!.cost?.monthly).toBe(86.08);
  });

  it("restarts running VMs on Proxmox, TrueNAS and Azure through their APIs and records it in history", async () => {
    const reboots = async () => ((await w.pve.get("/nodes/pve1/tasks", { params: { limit: 500 } })).data.data as Array<{ type: string }>).filter((t) => t.type === "qmreboot").length;
    const before = await reboots();
    const run = await vmsync(["restart", "VirtualMachine/web-2", "k8s-cp", "--target", "dev", "-C", "demo"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^VirtualMachine\/dev: restarted/m);
    expect(run.stdout).toMatch(/^VirtualMachine\/k8s-cp: restarted/m);
    expect(run.stdout).toMatch(/^VirtualMachine\/web-2: restarted/m);
    expect(await reboots()).toBe(before + 1);
    const history = JSON.parse((await vmsync(["--json", "history", "-C", "demo", "-n", "1"])).stdout) as { history: Array<{ command: string; steps: Array<{ address: string; action: string; result: string }> }> };
    expect(history.history[0]).toMatchObject({ command: "restart VirtualMachine/web-2 k8s-cp --target dev" });
    expect(history.history[0]!.steps.map((s) => [s.address, s.action, s.result])).toEqual([["VirtualMachine/dev", "restart", "succeeded"], ["VirtualMachine/k8s-cp", "restart", "succeeded"], ["VirtualMachine/web-2", "restart", "succeeded"]]);
    const none = await vmsync(["restart", "--target", "VirtualMachine/nope-*", "-C", "demo"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('"VirtualMachine/nope-*" matches no VirtualMachine or Container vmsync manages');
  });

  it("takes snapshots on request, lists who took each, refuses to roll back a protected VM without --force, and rolls back with it", async () => {
    expect((await vmsync(["snapshot", "create", "VirtualMachine/db", "--name", "before-upgrade", "-C", "demo"])).code).toBe(0);
    expect((await vmsync(["snapshot", "create", "k8s-cp", "--name", "pre", "-C", "demo"])).code).toBe(0);
    const reserved = await vmsync(["snapshot", "create", "db", "--name", "vmsync-nightly-202601010300", "-C", "demo"]);
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toContain("has the shape of a schedule's snapshot name");
    const round = await vmsync(["snapshot", "run", "SnapshotSchedule/nightly", "demo"]);
    expect(round.code, round.stderr).toBe(0);
    const listed = JSON.parse((await vmsync(["--json", "snapshot", "list", "-C", "demo"])).stdout) as { snapshots: Array<{ address: string; name: string; origin: string; schedule?: string }> };
    expect(listed.snapshots.map((s) => [s.address, s.name.replace(/\d{12}$/, "…"), s.origin, s.schedule ?? ""])).toEqual([
      ["Container/cache", "vmsync-nightly-…", "schedule", "nightly"],
      ["VirtualMachine/db", "before-upgrade", "ad-hoc", ""], ["VirtualMachine/db", "vmsync-nightly-…", "schedule", "nightly"], ["VirtualMachine/k8s-cp", "pre", "ad-hoc", ""],
    ]);
    const bySchedule = await vmsync(["snapshot", "list", "SnapshotSchedule/nightly", "-C", "demo"]);
    expect(bySchedule.stdout).toMatch(/VirtualMachine\/db\s+vmsync-nightly-\d{12}\s+.*schedule nightly/);
    expect(bySchedule.stdout).not.toContain("before-upgrade");

    const vmid = await vmidOf(w, "db");
    await w.pve.put(`/nodes/pve1/qemu/${vmid}/config`, new URLSearchParams({ cores: "8" }));
    const refused = await vmsync(["snapshot", "rollback", "db", "before-upgrade", "-C", "demo", "--auto-approve"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("VirtualMachine/db is protected (protect: true)");
    const noTty = await vmsync(["snapshot", "rollback", "db", "before-upgrade", "-C", "demo", "--force"]);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toContain("refusing to apply without confirmation");
    const done = await vmsync(["snapshot", "rollback", "db", "before-upgrade", "-C", "demo", "--force", "--auto-approve"]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain("VirtualMachine/db: rolled back to before-upgrade");
    expect(Number(((await w.pve.get(`/nodes/pve1/qemu/${vmid}/config`)).data.data as { cores: number }).cores)).toBe(4);
    const history = JSON.parse((await vmsync(["--json", "history", "-C", "demo", "-n", "1"])).stdout) as { history: Array<{ command: string; steps: Array<{ action: string }> }> };
    expect(history.history[0]).toMatchObject({ command: "snapshot rollback VirtualMachine/db before-upgrade --force", steps: [{ action: "rollback" }] });
    const azure = await vmsync(["snapshot", "rollback", "dev", "any", "-C", "demo", "--auto-approve"]);
    expect(azure.code).toBe(1);
    expect(azure.stderr).toContain("VirtualMachine/dev is on Azure, which has no in-place rollback");
  });

  it("reports the resources of a provider that cannot be reached as unknown, the rest as observed, and exits 1", async () => {
    await w.handles.find((h) => h.name === "azure")!.close();
    const run = await vmsync(["--json", "status", "demo"]);
    expect(run.code).toBe(1);
    const r = JSON.parse(run.stdout) as FleetReport;
    expect(r.providers.find((p) => p.name === "cloud")).toMatchObject({ reachable: false, error: expect.any(String) });
    expect(row(r, "VirtualMachine/dev").sync.state).toBe("unknown");
    expect(row(r, "NfsShare/team-files").sync.state).toBe("unknown");
    expect(row(r, "VirtualMachine/dev").cost).toMatchObject({ monthly: null }); // billed, but not observed: unknown, never 0
    expect(r.sections.map((s) => s.provider)).toEqual(["nas", "pve"]);
    expect(row(r, "VirtualMachine/k8s-cp").sync.state).toBe("in-sync");
  }, 60_000);
});
