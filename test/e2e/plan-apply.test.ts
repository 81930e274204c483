import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";
import { envOf, providerYamlFromEnv, startSim, type Sim } from "../integration/truenas/helpers.js";

/**
 * plan → apply → plan as real CLI processes against a TrueNAS simulator: exit codes, the
 * confirmation rule off a terminal, JSON events, saved plans (and their staleness check), state,
 * history, and secrets never printed.
 */
const providers = providerYamlFromEnv;
const fleet = (memory: string) => `apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: web, labels: { role: web } }
spec:
  provider: nas
  replicas: 2
  memory: ${memory}
  disks: [{ size: 1GiB }]
  networks: [{ model: virtio }]
  power: stopped
---
apiVersion: vmsync.io/v1
kind: NfsShare
metadata: { name: media }
spec:
  provider: nas
  size: 10GiB
  networks: [10.0.0.0/24]
`;

describe("vmsync plan/apply as processes (TrueNAS simulator)", () => {
  let sim: Sim;
  let tree: TempTree;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env });

  beforeAll(async () => {
    sim = await startSim("25.10.1");
    tree = await tempTree({ "stack/providers.yaml": providers, "stack/fleet.yaml": fleet("1GiB") });
    env = Object.fromEntries(Object.entries(envOf(sim)).filter((e): e is [string, string] => typeof e[1] === "string"));
  });
  afterAll(async () => {
    await sim.dispose();
    await tree.cleanup();
  });

  it("plans creates with the Terraform-style summary and exit 2 under --detailed-exitcode", async () => {
    const r = await cli("plan", "stack", "--detailed-exitcode");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("+ VirtualMachine/web-1");
    expect(r.stdout).toContain("Plan: 3 to create, 0 to update, 0 to replace, 0 to delete.");
    expect(r.stdout).not.toContain(sim.credentials.apiKey);
  });

  it("refuses to apply off a terminal without --auto-approve, changing nothing", async () => {
    const r = await cli("apply", "stack");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to apply without confirmation.*--auto-approve/s);
    expect((await sim.admin("vm.query")) as unknown[]).toHaveLength(0);
  });

  it("applies with --auto-approve, then a second plan is empty (exit 0)", async () => {
    const r = await cli("apply", "stack", "--auto-approve");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Apply complete! Resources: 3 created, 0 updated, 0 replaced, 0 deleted.");
    const again = await cli("plan", "stack", "--detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes.");
    const vms = (await sim.admin("vm.query")) as Array<{ name: string }>;
    expect(vms.map((v) => v.name).sort()).toEqual(["web_1", "web_2"]);
  });

  it("lists state and history", async () => {
    const list = await cli("state", "list", "--dir", "stack");
    expect(list.stdout).toMatch(/NfsShare\/media\tnas\ttank\/vmsync\/media/);
    expect(list.stdout).toMatch(/VirtualMachine\/web-2\tnas\t\d+/);
    const history = await cli("history", "--dir", "stack", "--json");
    expect(JSON.parse(history.stdout).history[0]).toMatchObject({ command: "apply", result: "succeeded", summary: { create: 3 } });
  });

  it("--target without Kind/ matches names of any kind; a pattern that matches nothing is an error (exit 1)", async () => {
    await writeFile(join(tree.dir, "stack/fleet.yaml"), fleet("2GiB"));
    const one = await cli("plan", "stack", "--target", "web-1", "--detailed-exitcode");
    expect(one.code, one.stdout).toBe(2);
    expect(one.stdout).toContain("~ VirtualMachine/web-1");
    expect(one.stdout).not.toContain("VirtualMachine/web-2");
    const none = await cli("plan", "stack", "--target", "app-1", "--detailed-exitcode");
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('error: --target "app-1" matches no resource');
    expect(none.stdout).not.toContain("No changes");
    await writeFile(join(tree.dir, "stack/fleet.yaml"), fleet("1GiB"));
  });

  it("refuses a saved plan when what it touches changed since, naming it", async () => {
    await writeFile(join(tree.dir, "stack/fleet.yaml"), fleet("2GiB"));
    const saved = await cli("plan", "stack", "-o", "plan.json");
    expect(saved.code).toBe(0);
    expect(JSON.parse(await readFile(join(tree.dir, "plan.json"), "utf8"))).toMatchObject({ formatVersion: 1, summary: { update: 2 } });
    const vm = ((await sim.admin("vm.query", [[["name", "=", "web_1"]]])) as Array<{ id: number }>)[0]!;
    await sim.admin("vm.update", [vm.id, { vcpus: 2 }]); // someone changes web_1 behind vmsync's back
    const r = await cli("apply", "plan.json");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Saved plan is stale");
    expect(r.stderr).toContain("VirtualMachine/web-1: changed at the provider since the plan was made");
  });

  it("applies a fresh saved plan exactly, without a prompt, streaming JSON events", async () => {
    expect((await cli("plan", "stack", "-o", "plan.json")).code).toBe(0);
    const r = await cli("apply", "plan.json", "--json");
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; address?: string });
    expect(events.filter((e) => e.type === "step.start").map((e) => e.address).sort()).toEqual(["VirtualMachine/web-1", "VirtualMachine/web-2"]);
    expect(events.at(-1)).toMatchObject({ type: "summary", result: "succeeded", counts: { update: 2 } });
    expect((await cli("plan", "stack", "--detailed-exitcode")).code).toBe(0);
  });

  it("refuses to delete everything when the manifests are gone, unless allowed", async () => {
    await writeFile(join(tree.dir, "stack/fleet.yaml"), "# nothing\n");
    const r = await cli("plan", "stack");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/refusing to delete every managed resource \(3\)/);
    const ok = await cli("apply", "stack", "--auto-approve", "--allow-mass-delete");
    expect(ok.code).toBe(0);
    expect((await sim.admin("vm.query")) as unknown[]).toHaveLength(0);
  });
});
