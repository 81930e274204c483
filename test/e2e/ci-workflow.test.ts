import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tempTree, type TempTree } from "../helpers/tmp.js";
import { envOf, providerYamlFromEnv, startSim, type Sim } from "../integration/truenas/helpers.js";

/**
 * The README's CI workflow as processes, with the default file state: `plan -o plan.json` (the
 * artefact) → `apply plan.json` → the next plan is clean and `history` shows the apply. The saved
 * plan must be applied to exactly the state it was made from.
 */
const manifests = (memory: string) => `${providerYamlFromEnv}---
apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: app }
spec:
  provider: nas
  memory: ${memory}
  disks: [{ size: 1GiB }]
  networks: [{ model: virtio }]
  power: stopped
`;

describe("the CI workflow: plan -o → apply the saved plan → plan is clean (file state)", () => {
  let sim: Sim;
  let tree: TempTree;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env });

  beforeAll(async () => {
    sim = await startSim("25.10.1");
    tree = await tempTree({ "clusters/prod/all.yaml": manifests("1GiB") });
    env = Object.fromEntries(Object.entries(envOf(sim)).filter((e): e is [string, string] => typeof e[1] === "string"));
  });
  afterAll(async () => {
    await sim.dispose();
    await tree.cleanup();
  });

  it("applies the saved plan to the state it was made from, and the next plan has nothing to say", async () => {
    const plan = await cli("plan", "clusters/prod", "-o", "plan.json", "--markdown", "--detailed-exitcode");
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain("Plan: 1 to create");
    const apply = await cli("apply", "plan.json");
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain("Apply complete! Resources: 1 created");

    const next = await cli("plan", "clusters/prod", "--detailed-exitcode");
    expect(next.code, next.stdout).toBe(0);
    expect(next.stdout).not.toMatch(/interrupted run|Drift/);
    expect(next.stdout).toContain("No changes.");
    const history = await cli("history", "--dir", "clusters/prod", "--json");
    expect(JSON.parse(history.stdout).history[0]).toMatchObject({ command: "apply", result: "succeeded", summary: { create: 1 } });
    const list = await cli("state", "list", "--dir", "clusters/prod");
    expect(list.stdout).toMatch(/VirtualMachine\/app\tnas\t\d+/);
  });

  it("an update through a saved plan leaves no drift behind", async () => {
    await writeFile(join(tree.dir, "clusters/prod/all.yaml"), manifests("2GiB"));
    expect((await cli("plan", "clusters/prod", "-o", "plan.json")).code).toBe(0);
    const apply = await cli("apply", "plan.json");
    expect(apply.code, apply.stderr).toBe(0);
    const next = await cli("plan", "clusters/prod", "--detailed-exitcode");
    expect(next.code).toBe(0);
    expect(next.stdout).not.toContain("Drift");
    const history = JSON.parse((await cli("history", "--dir", "clusters/prod", "--json")).stdout).history;
    expect(history.map((h: { summary: { update: number } }) => h.summary.update)).toEqual([1, 0]);
  });

  it("records which state the plan came from, and refuses to apply it to another one", async () => {
    expect((await cli("plan", "clusters/prod", "-o", "plan.json")).code).toBe(0);
    const saved = JSON.parse(await (await import("node:fs/promises")).readFile(join(tree.dir, "plan.json"), "utf8"));
    expect(saved.stateSource).toEqual({ backend: "file", stack: "prod", explicitStack: false, location: join(".vmsync", "state.json") });
    const elsewhere = await cli("apply", "plan.json", "--stack", "staging");
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/plan\.json was made from stack "prod".*--stack staging/s);
    // the plan's stack wins over the environment: the same state as the plan, nothing to do
    const envStack = await runCli(["apply", "plan.json"], { cwd: tree.dir, env: { ...env, VMSYNC_STACK: "staging" } });
    expect(envStack.code, envStack.stderr).toBe(0);
    // another backend is refused before it is contacted (nothing listens on port 1)
    const otherState = await cli("apply", "plan.json", "--state", "postgres://ci@127.0.0.1:1/vmsync");
    expect(otherState.code).toBe(1);
    expect(otherState.stderr).toMatch(/made from the state at \.vmsync\/state\.json \(file, stack "prod"\), but this run would use --state \(postgres/);
  });
});
