import type { Command } from "commander";
import { isNotRunning } from "../../providers/contract.js";
import type { CliIO } from "../io.js";
import { resolveManaged } from "../managed-targets.js";
import { runResourceAction } from "../resource-action.js";
import { openWorkspace } from "../workspace.js";

interface Flags {
  dir: string;
  target?: string[];
  stack?: string;
  state?: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `vmsync restart ADDR…`: restarts running VMs through their provider's own API (Proxmox reboot,
 * TrueNAS vm.restart, Azure restart), waiting for each, and records the run in history. A stopped
 * VM is skipped, never started (its power is the manifest's business).
 */
export function registerRestart(program: Command, io: () => CliIO): void {
  program
    .command("restart")
    .description("Restart running VMs and containers through their provider (recorded in history); stopped ones are left stopped")
    .argument("[addresses...]", "what to restart: VirtualMachine/NAME, Container/NAME, or NAME")
    .option("--target <glob>", "also restart the VMs and containers whose address matches (repeatable; a glob without / matches names)", collect)
    .option("-C, --dir <path>", "the manifest folder (or file) whose providers and state to use", ".")
    .option("--stack <name>", "stack name (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync restart VirtualMachine/web-1
  $ vmsync restart Container/cache
  $ vmsync restart --target 'VirtualMachine/web-*' -C clusters/prod
  $ vmsync history -n 1        # who restarted what, when`,
    )
    .action(async (addresses: string[], flags: Flags) => {
      const out = io();
      const ws = await openWorkspace([flags.dir], flags, out);
      try {
        const targets = resolveManaged(await ws.store.read(), { names: addresses, globs: flags.target ?? [] }, ["VirtualMachine", "Container"]);
        await runResourceAction({
          ws, out, command: `restart ${[...addresses, ...(flags.target ?? []).map((t) => `--target ${t}`)].join(" ")}`, action: "restart", targets,
          fn: async (session, t, ctx) => {
            if (!session.power) throw new Error(`provider "${t.provider}" cannot restart VMs`);
            const started = Date.now();
            try {
              await session.power.restart({ kind: t.kind as "VirtualMachine" | "Container", externalId: t.externalId }, ctx);
            } catch (err) {
              if (isNotRunning(err)) return { skip: "not running (restart never starts a stopped VM)" };
              throw err;
            }
            return `restarted (${((Date.now() - started) / 1000).toFixed(1)}s)`;
          },
        });
      } finally {
        await ws.store.close();
      }
    });
}
