/**
 * One soak trial's world: `vmsync sim` as a process, a manifest folder (stack `soak`) with the
 * three Providers and the fleet, the CLI run as processes, and the checks after every round:
 * converge (apply until it succeeds), then at the providers (duplicates, orphans carrying the
 * stack's marker, fields that differ from the manifests), in state (every desired address, no
 * pending create) and a second plan with nothing to do.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BIN, runCli, type CliRun } from "../helpers/cli.js";
import { FLEET_PROVIDERS, providerYaml, simEnv } from "../helpers/fleet.js";
import type { FleetModel } from "./fleet-model.js";
import { azureObjects, proxmoxObjects, TruenasReader, type MarkedObject } from "./provider-view.js";
import { startSimProcess, type SimProcess } from "./sim-process.js";

export const STACK = "soak";

/** Where a kill landed in an apply. */
export interface KillOutcome {
  code: number | null;
  phase: "before any step" | "among the steps" | "after the steps" | "finished";
  /** Steps started and ended before the kill. */
  started: number;
  done: number;
  /** When the apply finished before the kill: how long its steps took (first start to summary). */
  stepsMs?: number;
}

/** The simulators, the manifest folder and the CLI. */
export class Trial {
  sim!: SimProcess;
  env!: Record<string, string>;
  readonly dir: string;
  private nas!: TruenasReader;

  constructor(private readonly root: string) {
    this.dir = join(root, STACK);
  }

  /** Starts (or restarts, keeping the world) the simulators with `simArgs`. */
  async startSims(simArgs: string[]): Promise<void> {
    await this.sim?.stop();
    this.sim = await startSimProcess(join(this.root, "sim"), simArgs);
    this.env = { ...simEnv(this.sim.announcement), VMSYNC_STACK: STACK };
    if (this.nas) this.nas.reset(this.env);
    else this.nas = new TruenasReader(this.env);
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, "providers.yaml"), FLEET_PROVIDERS.map(providerYaml).join("---\n"));
  }

  async close(): Promise<void> {
    this.nas?.close();
    await this.sim?.stop();
  }

  /** Writes the fleet's manifests. */
  write(fleet: FleetModel): Promise<void> {
    return writeFile(join(this.dir, "vms.yaml"), fleet.yaml());
  }

  cli(args: string[], timeoutMs = 180_000): Promise<CliRun> {
    return runCli([...args, "--no-color"], { cwd: this.root, env: this.env, timeoutMs });
  }

  /**
   * Starts `apply --json` and kills it with SIGKILL `delayMs` after `anchor`: its start, or the
   * first step that starts (so most kills land among the steps, where state and provider change).
   * Resolves with its exit code (null when the kill landed) and where the kill landed.
   */
  killedApply(anchor: "start" | "first-step", delayMs: number): Promise<KillOutcome> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, "--json", "apply", this.dir, "--auto-approve", "--allow-mass-delete"], {
        cwd: this.root, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...this.env }, stdio: ["ignore", "pipe", "ignore"],
      });
      let started = 0;
      let done = 0;
      let summary = false;
      let firstStepAt: number | undefined;
      let timer: NodeJS.Timeout | undefined;
      let stepsMs: number | undefined;
      const arm = () => (timer ??= setTimeout(() => child.kill("SIGKILL"), delayMs));
      let buf = "";
      child.stdout!.on("data", (d: Buffer) => {
        buf += d;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const type = (() => {
            try {
              return (JSON.parse(line) as { type?: string }).type;
            } catch {
              return undefined;
            }
          })();
          if (type === "step.start") {
            started++;
            firstStepAt ??= Date.now();
            if (anchor === "first-step") arm();
          } else if (type === "step.done" || type === "step.failed") done++;
          else if (type === "summary") {
            summary = true;
            if (firstStepAt !== undefined) stepsMs = Date.now() - firstStepAt;
          }
        }
      });
      if (anchor === "start") arm();
      child.on("close", (code) => {
        clearTimeout(timer);
        const phase = code !== null ? "finished" : summary ? "after the steps" : started === 0 ? "before any step" : "among the steps";
        resolve({ code, phase, started, done, ...(code !== null && stepsMs !== undefined ? { stepsMs } : {}) });
      });
    });
  }

  /** Applies until an apply succeeds (at most `attempts`); the runs it took, or throws with the last output. */
  async converge(attempts = 6): Promise<{ runs: number; outputs: string[] }> {
    const outputs: string[] = [];
    for (let i = 1; i <= attempts; i++) {
      const r = await this.cli(["apply", this.dir, "--auto-approve", "--allow-mass-delete"]);
      outputs.push(`--- apply #${i}: exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
      if (r.code === 0) return { runs: i, outputs };
    }
    throw new Error(`apply did not converge in ${attempts} runs:\n${outputs.join("\n")}`);
  }

  /** Everything the providers hold with a marker, through their own APIs. */
  async providerObjects(): Promise<MarkedObject[]> {
    return [...(await proxmoxObjects(this.env)), ...(await this.nas.objects()), ...(await azureObjects(this.env))];
  }

  /** The checks after convergence; an empty list when all hold. `planAttempts` > 1 tolerates plans failing under injected faults. */
  async check(fleet: FleetModel, planAttempts = 1): Promise<string[]> {
    const problems = fleet.check(await this.providerObjects(), STACK);
    const listed = await this.cli(["--json", "state", "list", "-C", this.dir]);
    if (listed.code !== 0) problems.push(`state list failed: ${listed.stderr}`);
    else {
      const state = JSON.parse(listed.stdout) as { resources: Array<{ address: string }>; pending: Array<{ address: string }> };
      const inState = state.resources.map((r) => r.address).filter((a) => a.startsWith("VirtualMachine/")).sort();
      if (JSON.stringify(inState) !== JSON.stringify(fleet.addresses())) problems.push(`state holds ${inState.join(", ")}; the manifests ${fleet.addresses().join(", ")}`);
      if (state.pending.length) problems.push(`pending creates left in state: ${state.pending.map((p) => p.address).join(", ")}`);
    }
    let plan = await this.cli(["plan", this.dir, "--detailed-exitcode"]);
    // under injected faults a plan may fail (exit 1) after its retries; try again, but changes (exit 2) are a finding
    for (let i = 1; i < planAttempts && plan.code === 1; i++) {
      this.planRetries++;
      plan = await this.cli(["plan", this.dir, "--detailed-exitcode"]);
    }
    if (plan.code !== 0) problems.push(`a second plan is not empty (exit ${plan.code}):\n${plan.stdout.slice(-3000)}${plan.stderr.slice(-2000)}`);
    return problems;
  }

  /** Plans that failed under injected faults and were run again (see `check`). */
  planRetries = 0;
}
