/**
 * The real CLI (processes, compiled dist/) with its state in PostgreSQL: apply against the TrueNAS
 * simulator through VMSYNC_STATE_URL, then plan is empty, state and history come from the
 * database, nothing is written to .vmsync/, and the password never appears in any output.
 */
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPgStateStore } from "../../../src/state/postgres/open.js";
import { runCli } from "../../helpers/cli.js";
import { tempTree, type TempTree } from "../../helpers/tmp.js";
import { envOf, providerYamlFromEnv, startSim, type Sim } from "../truenas/helpers.js";
import { dropStack, testPgUrl, uniqueName } from "./pg-env.js";

const manifests = `${providerYamlFromEnv}---
apiVersion: vmsync.io/v1
kind: VirtualMachine
metadata: { name: web }
spec:
  provider: nas
  replicas: 2
  memory: 1GiB
  disks: [{ size: 1GiB }]
  networks: [{ model: virtio }]
  power: stopped
`;

describe("vmsync apply with the state in PostgreSQL (processes)", () => {
  let sim: Sim;
  let tree: TempTree;
  let env: Record<string, string>;
  const stack = uniqueName("cli");
  const cli = (...args: string[]) => runCli(args, { cwd: tree.dir, env });
  const password = () => decodeURIComponent(new URL(testPgUrl()).password);

  beforeAll(async () => {
    sim = await startSim("25.10.1");
    tree = await tempTree({ "fleet/all.yaml": manifests });
    env = {
      ...Object.fromEntries(Object.entries(envOf(sim)).filter((e): e is [string, string] => typeof e[1] === "string")),
      VMSYNC_STATE_URL: testPgUrl(),
      VMSYNC_STACK: stack,
    };
  });
  afterAll(async () => {
    await sim?.dispose();
    await tree?.cleanup();
    await dropStack(stack);
  });

  it("applies, records state and history in the database, and plans no changes after", async () => {
    const r = await cli("apply", "fleet", "--auto-approve");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const again = await cli("plan", "fleet", "--detailed-exitcode");
    expect(again.code).toBe(0);
    const store = await openPgStateStore(testPgUrl(), { stack });
    try {
      expect(Object.keys((await store.read()).resources).sort()).toEqual(["VirtualMachine/web-1", "VirtualMachine/web-2"]);
      expect((await store.history())[0]).toMatchObject({ command: "apply", result: "succeeded" });
    } finally {
      await store.close();
    }
    await expect(access(join(tree.dir, "fleet/.vmsync/state.json"))).rejects.toThrow();
    const list = await cli("state", "list", "--dir", "fleet");
    expect(list.stdout).toMatch(/VirtualMachine\/web-1\tnas\t\d+/);
    for (const out of [r.stdout, r.stderr, again.stdout, list.stdout, list.stderr]) expect(out).not.toContain(password());
  });

  it("a second apply while one holds the lock is refused, naming the holder", async () => {
    const store = await openPgStateStore(testPgUrl(), { stack });
    const held = await store.lock({ host: "ci-runner-3", pid: 777, user: "deploy", command: "vmsync apply" });
    try {
      const r = await cli("apply", "fleet", "--auto-approve");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("is locked by deploy@ci-runner-3 (pid 777");
      expect(r.stderr).not.toContain(password());
    } finally {
      await held.release();
      await store.close();
    }
  });

  it("the README's CI workflow: plan -o → apply the saved plan on the same database → the next plan is clean", async () => {
    const folder = uniqueName("ci"); // the default stack is the folder's name
    const ciEnv = { ...env, VMSYNC_STACK: "" };
    delete (ciEnv as Record<string, string | undefined>).VMSYNC_STACK;
    const ci = (...args: string[]) => runCli(args, { cwd: tree.dir, env: ciEnv });
    try {
      await writeFileIn(tree, `${folder}/all.yaml`, manifests.replace("name: web }", "name: ci-web }"));
      const plan = await ci("plan", folder, "-o", "plan.json", "--markdown", "--detailed-exitcode");
      expect(plan.code, plan.stderr).toBe(2);
      const text = await readFile(join(tree.dir, "plan.json"), "utf8");
      expect(text).not.toContain(password());
      expect(JSON.parse(text).stateSource).toMatchObject({ backend: "postgres", stack: folder, explicitStack: false });
      // without the database settings the saved plan is refused, not applied to a file state
      const elsewhere = await runCli(["apply", "plan.json"], { cwd: tree.dir, env: Object.fromEntries(Object.entries(ciEnv).filter(([k]) => k !== "VMSYNC_STATE_URL")) });
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.stderr).toMatch(/was made from the state at postgres:.*but this run would use \.vmsync\/ \(file/);
      const apply = await ci("apply", "plan.json");
      expect(apply.code, apply.stderr).toBe(0);
      const next = await ci("plan", folder, "--detailed-exitcode");
      expect(next.code, next.stdout).toBe(0);
      expect(next.stdout).not.toMatch(/interrupted run|Drift/);
      const history = JSON.parse((await ci("history", "--dir", folder, "--json")).stdout).history;
      expect(history[0]).toMatchObject({ command: "apply", result: "succeeded", summary: { create: 2 } });
      await expect(access(join(tree.dir, folder, ".vmsync"))).rejects.toThrow();
    } finally {
      await dropStack(folder);
    }
  });
});

async function writeFileIn(tree: TempTree, rel: string, text: string): Promise<void> {
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  await mkdir(dirname(join(tree.dir, rel)), { recursive: true });
  await writeFile(join(tree.dir, rel), text);
}
