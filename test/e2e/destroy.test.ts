import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";
import { envOf, providerYamlFromEnv, startSim, type Sim } from "../integration/truenas/helpers.js";

/** `vmsync destroy` as processes against the TrueNAS simulator: confirmation, protect, JSON events, history, saved destroy plans. */
const manifests = `${providerYamlFromEnv}---
apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: web }
spec:
  provider: nas
  replicas: 2
  memory: 512MiB
  disks: [{ size: 1GiB }]
  power: stopped
---
apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: db }
spec:
  provider: nas
  memory: 512MiB
  disks: [{ size: 1GiB }]
  power: stopped
  protect: true
`;

describe("vmsync destroy (processes, TrueNAS simulator)", () => {
  let sim: Sim;
  let tree: TempTree;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env });
  const vmNames = async () => ((await sim.admin("vm.query")) as Array<{ name: string }>).map((v) => v.name).sort();

  beforeAll(async () => {
    sim = await startSim("25.10.1");
    tree = await tempTree({ "fleet/all.yaml": manifests });
    env = Object.fromEntries(Object.entries(envOf(sim)).filter((e): e is [string, string] => typeof e[1] === "string"));
    const r = await cli("apply", "fleet", "--auto-approve");
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await sim.dispose();
    await tree.cleanup();
  });

  it("refuses off a terminal without --auto-approve, deleting nothing", async () => {
    const r = await cli("destroy", "fleet");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Plan: 0 to create, 0 to update, 0 to replace, 2 to delete.");
    expect(r.stderr).toMatch(/refusing to apply without confirmation.*--auto-approve/s);
    expect(await vmNames()).toEqual(["db", "web_1", "web_2"]);
  });

  it("plan --destroy saves a destroy plan that apply applies exactly (here: only the targeted VM)", async () => {
    const p = await cli("plan", "fleet", "--destroy", "--target", "web-2", "-o", "destroy.json", "--detailed-exitcode");
    expect(p.code, p.stdout + p.stderr).toBe(2);
    expect(p.stdout).toContain("- VirtualMachine/web-2");
    expect(JSON.parse(await readFile(join(tree.dir, "destroy.json"), "utf8")).options).toMatchObject({ destroy: true, targets: ["web-2"] });
    const a = await cli("apply", "destroy.json");
    expect(a.code, a.stderr).toBe(0);
    expect(await vmNames()).toEqual(["db", "web_1"]);
  });

  it("--auto-approve deletes everything the stack manages but the protected VM, which it names; history records it", async () => {
    const r = await cli("destroy", "fleet", "--auto-approve", "--json");
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; address?: string; action?: string });
    expect(events.filter((e) => e.type === "step.done").map((e) => [e.address, e.action])).toEqual([["VirtualMachine/web-1", "delete"]]);
    expect(events.at(-1)).toMatchObject({ type: "summary", result: "succeeded", counts: { delete: 1 } });
    expect(await vmNames()).toEqual(["db"]);
    const history = JSON.parse((await cli("history", "--dir", "fleet", "--json")).stdout).history;
    expect(history[0]).toMatchObject({ command: "destroy", result: "succeeded", summary: { delete: 1 } });
    const again = await cli("destroy", "fleet", "--auto-approve");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("VirtualMachine/db is protected (protect: true): destroy keeps it");
    expect(again.stdout).toContain('Nothing to destroy in stack "fleet".');
    expect((await cli("state", "list", "--dir", "fleet")).stdout).toMatch(/^ADDRESS\tPROVIDER\tID\tSTATUS\nVirtualMachine\/db\tnas\t\d+\tprotected\n$/);
  });

  it("has --help with examples", async () => {
    const r = await cli("destroy", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("--auto-approve");
  });
});
