/**
 * `vmsync sim` as a separate process (the simulators the soak trials run against): started with
 * OS-chosen loopback ports and a private world folder, stopped with SIGTERM. Restarting with other
 * knobs keeps the world (it persists in the folder).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { SimAnnouncement } from "../../src/sim/run-all.js";
import { BIN } from "../helpers/cli.js";

/** A running `vmsync sim`. */
export interface SimProcess {
  announcement: SimAnnouncement;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `vmsync sim --dir DIR` with `args` (e.g. `--fault-rate 0.1`) and waits for its announcement line. */
export async function startSimProcess(dir: string, args: string[] = []): Promise<SimProcess> {
  const child = spawn(process.execPath, [BIN, "sim", "--dir", dir, "--proxmox-port", "0", "--truenas-port", "0", "--azure-port", "0", "--guest-port", "0", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`vmsync sim exited (${code}) before it was ready: ${err}`)));
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    announcement: JSON.parse(line) as SimAnnouncement,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}
