import type { Command } from "commander";
import { resolve } from "node:path";
import { DEFAULT_SIM_PORTS, simEnvironment, startAllSims } from "../../sim/run-all.js";
import { shellQuote } from "../../guest/ssh/quote.js";
import { UsageError } from "../errors.js";
import type { CliIO } from "../io.js";

interface Flags {
  dir: string;
  latencyMs: string;
  faultRate: string;
  seed: string;
  taskMs?: string;
  proxmoxPort?: string;
  truenasPort?: string;
  azurePort?: string;
  guestPort?: string;
  guestBootMs: string;
  env?: boolean;
}

function number(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, not ${v}`);
  return n;
}

/** `vmsync sim`: run the built-in simulators on loopback until SIGINT/SIGTERM. */
export function registerSim(program: Command, io: () => CliIO): void {
  program
    .command("sim")
    .description("Run the built-in Proxmox VE, TrueNAS and Azure simulators on loopback (for the demo, tests and trying vmsync)")
    .option("--dir <folder>", "where the simulated world persists between runs", ".vmsync-sim")
    .option("--latency-ms <n>", "added latency per request", "0")
    .option("--fault-rate <r>", "share of requests that fail with a transient error (0..1)", "0")
    .option("--seed <n>", "seed of generated ids and faults", "1")
    .option("--task-ms <n>", "how long asynchronous tasks take")
    .option("--proxmox-port <n>", `Proxmox port (default ${DEFAULT_SIM_PORTS.proxmox})`)
    .option("--truenas-port <n>", `TrueNAS port (default ${DEFAULT_SIM_PORTS.truenas})`)
    .option("--azure-port <n>", `Azure port (default ${DEFAULT_SIM_PORTS.azure})`)
    .option("--guest-port <n>", `port of the SSH bastion to the simulated guests (default ${DEFAULT_SIM_PORTS.guest})`)
    .option("--guest-boot-ms <n>", "how long a simulated guest takes to boot before SSH and its guest agent answer", "1000")
    .option("--env", "print the VMSYNC_SIM_* variables examples/clusters/demo reads, as shell assignments, instead of JSON")
    .addHelpText(
      "after",
      `
When ready it prints one JSON line on stdout: for each simulator its endpoint, credentials and caFile;
"guest" is the SSH bastion to the simulated VMs' guests (user, private key, host key fingerprint).
Examples:
  $ vmsync sim --dir /tmp/world
  $ vmsync sim --fault-rate 0.1 --latency-ms 20      # a flaky, slow cluster`,
    )
    .action(async (flags: Flags) => {
      const out = io();
      const knobs = {
        latencyMs: number("latency-ms", flags.latencyMs, 0, 60_000)!,
        faultRate: number("fault-rate", flags.faultRate, 0, 1)!,
        seed: number("seed", flags.seed, 0, 2 ** 32)!,
        ...(flags.taskMs !== undefined ? { taskDurationMs: number("task-ms", flags.taskMs, 0, 600_000)! } : {}),
        guestBootMs: number("guest-boot-ms", flags.guestBootMs, 0, 600_000)!,
      };
      const ports = {
        ...(flags.proxmoxPort ? { proxmox: number("proxmox-port", flags.proxmoxPort, 0, 65535)! } : {}),
        ...(flags.truenasPort ? { truenas: number("truenas-port", flags.truenasPort, 0, 65535)! } : {}),
        ...(flags.azurePort ? { azure: number("azure-port", flags.azurePort, 0, 65535)! } : {}),
        ...(flags.guestPort ? { guest: number("guest-port", flags.guestPort, 0, 65535)! } : {}),
      };
      const sims = await startAllSims({ dir: resolve(out.cwd, flags.dir), knobs, ports });
      if (flags.env) out.stdout.write(Object.entries(simEnvironment(sims.announcement)).map(([k, v]) => `${k}=${shellQuote(v)}`).join("\n") + "\n");
      else out.stdout.write(JSON.stringify(sims.announcement) + "\n");
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await sims.close();
    });
}
