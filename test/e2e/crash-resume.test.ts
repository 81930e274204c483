import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeededRandom } from "../../src/sim/knobs.js";
import { BIN, runCli } from "../helpers/cli.js";
import { providerYaml, startWorld, vmYaml, type World } from "../integration/proxmox/helpers.js";

/**
 * Crash safety of apply as a real process: the CLI is killed with SIGKILL at random points of an
 * apply (creates and deletes alike), then apply runs again. Every round must converge with each
 * desired VM existing exactly once, no VM of this stack left that state does not know (no orphans),
 * and a second plan with no changes. The kill points come from a seeded generator, so a failure
 * can be replayed.
 */
const ROUNDS = 8;

interface PveVm {
  vmid: number;
  name: string;
  tags?: string;
}

describe("apply killed at random points converges without duplicates or orphans (Proxmox simulator)", () => {
  let w: World;
  const fleet = (replicas: number) => vmYaml("web", `  replicas: ${replicas}\n  memory: 512MiB\n  disks: [{ size: 2GiB }]\n  networks: [{ model: virtio }]\n  power: stopped\n`);

  beforeAll(async () => {
    w = await startWorld({ knobs: { taskDurationMs: 400 } });
    await w.write({ "providers.yaml": providerYaml({ concurrency: 3 }) });
  });
  afterAll(async () => w.stop());

  const cli = (...args: string[]) => runCli(args, { cwd: w.dir, env: { ...(w.env as Record<string, string>), VMSYNC_STACK: "crash" } });

  async function vms(): Promise<PveVm[]> {
    const ca = await readFile(w.sim.caFile, "utf8");
    const body = await new Promise<string>((resolve, reject) => {
      https.get(`${w.sim.endpoint}/_sim/world`, { ca }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    const world = JSON.parse(body) as { vms: Record<string, { vmid: number; conf: { name?: string; tags?: string } }> };
    return Object.values(world.vms).map((v) => ({ vmid: v.vmid, name: v.conf.name ?? "", ...(v.conf.tags ? { tags: v.conf.tags } : {}) }));
  }

  /**
   * Starts apply and kills it (SIGKILL) `ms` after its first step started (timed from the steps, not
   * from the start of the process, so that the kills land among steps however fast start-up is);
   * resolves with the exit code when the process is gone (null: killed).
   */
  function killedApply(ms: number): Promise<number | null> {
    return new Promise((resolve) => {
      // deleting 4 of 6 trips the mass-delete guard: allowed, so that kills land among deletes too
      const child = spawn(process.execPath, [BIN, "apply", ".", "--auto-approve", "--no-color", "--allow-mass-delete"], {
        cwd: w.dir, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...(w.env as Record<string, string>), VMSYNC_STACK: "crash" }, stdio: ["ignore", "pipe", "ignore"],
      });
      let timer: NodeJS.Timeout | undefined;
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (!timer && /: (Creating|Destroying|Modifying)\.\.\./.test(out)) timer = setTimeout(() => child.kill("SIGKILL"), ms);
      });
      child.on("close", (code) => (clearTimeout(timer), resolve(code)));
    });
  }

  it(`survives ${ROUNDS} kills`, async () => {
    const random = new SeededRandom(20261122);
    let killedMidway = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const replicas = round % 2 === 0 ? 6 : 2;
      await w.write({ "fleet.yaml": fleet(replicas) });
      const code = await killedApply(random.int(800));
      if (code === null) killedMidway++;
      let finished = false;
      for (let attempt = 0; attempt < 4 && !finished; attempt++) {
        const r = await cli("apply", ".", "--auto-approve", "--allow-mass-delete");
        finished = r.code === 0;
        if (!finished && attempt === 3) throw new Error(`round ${round}: apply does not converge:\n${r.stdout}\n${r.stderr}`);
      }
      const plan = await cli("plan", ".", "--detailed-exitcode");
      expect(plan.code, `round ${round}: ${plan.stdout}`).toBe(0);
      const names = (await vms()).map((v) => v.name).sort();
      expect(names, `round ${round}`).toEqual(Array.from({ length: replicas }, (_, i) => `web-${i + 1}`).sort());
      const listed = await cli("state", "list", "--json");
      expect(listed.code, listed.stderr).toBe(0);
      const state = JSON.parse(listed.stdout) as { resources: Array<{ externalId: string }>; pending: unknown[] };
      expect(state.resources).toHaveLength(replicas);
      expect(state.pending).toEqual([]);
    }
    expect(killedMidway).toBeGreaterThanOrEqual(ROUNDS - 2); // most kills really hit a running apply
  }, 300_000);

  it("Ctrl-C: stops starting steps, lets running ones finish, saves state, exits 130; the next apply finishes", async () => {
    await w.write({ "fleet.yaml": vmYaml("batch", "  replicas: 6\n  memory: 512MiB\n  disks: [{ size: 2GiB }]\n  networks: [{ model: virtio }]\n  power: stopped\n") });
    const child = spawn(process.execPath, [BIN, "apply", ".", "--auto-approve", "--no-color", "--parallelism", "2", "--allow-mass-delete"], {
      cwd: w.dir, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...(w.env as Record<string, string>), VMSYNC_STACK: "crash" }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on("data", (d) => {
        out += d;
        if (/batch-\d: Creating\.\.\./.test(out) && !child.killed) child.kill("SIGINT");
      });
      child.on("close", resolve);
    });
    expect(code, out + err).toBe(130);
    expect(err).toContain("Stopping: no new steps will start");
    expect(out).toMatch(/Apply interrupted\. Resources: \d+ created.*not started\. State is saved/);
    const listed = JSON.parse((await cli("state", "list", "--json")).stdout) as { resources: unknown[]; pending: unknown[] };
    expect(listed.pending).toEqual([]); // running steps finished and were recorded
    expect(listed.resources.length).toBeGreaterThan(0);
    expect((await cli("apply", ".", "--auto-approve", "--allow-mass-delete")).code).toBe(0);
    expect((await cli("plan", ".", "--detailed-exitcode")).code).toBe(0);
    expect((await vms()).map((v) => v.name).filter((n) => n.startsWith("batch-")).sort()).toEqual(["batch-1", "batch-2", "batch-3", "batch-4", "batch-5", "batch-6"]);
  }, 120_000);
});
