import { hostname, userInfo } from "node:os";
import type { Command } from "commander";
import { hasChanges } from "../../reconcile/plan-types.js";
import { renderPlanHuman } from "../../reconcile/render/human.js";
import { confirmApply } from "../confirm.js";
import { CommandFailed, UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { makePlan } from "../make-plan.js";
import type { PlanFlags } from "../plan-flags.js";
import { runApply } from "../run-apply.js";
import { openWorkspace } from "../workspace.js";

interface Flags extends Omit<PlanFlags, "refreshOnly" | "allowMassDelete" | "destroy"> {
  autoApprove?: boolean;
  parallelism: string;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `vmsync destroy [paths…]`: delete everything the stack manages (its state inventory) — never what
 * it does not own, never a protected resource (kept and named). The same path as apply: plan (with
 * `destroy`), show, confirm on a terminal (or `--auto-approve`), execute in reverse dependency
 * order, record in history. The Provider manifests are needed to reach the providers; the other
 * manifests are ignored except for their `protect`. The mass-delete guard does not apply: deleting
 * everything is what this command is for, and it always asks (or needs --auto-approve).
 */
export function registerDestroy(program: Command, io: () => CliIO): void {
  program
    .command("destroy")
    .description("Delete everything the stack manages (protected resources are kept); asks first")
    .argument("[paths...]", "manifest files or folders (their Provider manifests say how to reach what is deleted)", ["."])
    .option("--auto-approve", "do not ask for confirmation (required when not on a terminal)")
    .option("--parallelism <n>", "most steps in flight at once across providers", "10")
    .option("--target <pattern>", "only these resources (glob over Kind/name, or names without /; repeatable) and what depends on them", collect)
    .option("--exclude <pattern>", "keep these resources (glob; repeatable), and what they depend on", collect)
    .option("--stack <name>", "stack name (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync destroy examples/clusters/demo                 # shows what will be deleted, asks
  $ vmsync destroy --auto-approve                         # CI: no prompt
  $ vmsync destroy --target 'VirtualMachine/web-*'        # only the web VMs (and what depends on them)
  $ vmsync plan --destroy -o destroy.json && vmsync apply destroy.json   # review first, then apply exactly that
  $ vmsync destroy --json --auto-approve                  # one event per line, as apply --json
Protected resources (protect: true, in the manifest or in state) are kept and named.
Exit codes: 0 destroyed (or nothing to destroy), 1 error or a failed step, 130 interrupted.`,
    )
    .action(async (paths: string[], flags: Flags) => {
      const out = io();
      const parallelism = Number(flags.parallelism);
      if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError(`--parallelism must be a whole number ≥ 1, not ${flags.parallelism}`);
      const ws = await openWorkspace(paths, flags, out);
      const lock = await ws.store.lock({ host: hostname(), pid: process.pid, user: userInfo().username, command: `vmsync destroy ${paths.join(" ")}`.trim() });
      try {
        const run = await makePlan(ws, { targets: flags.target ?? [], excludes: flags.exclude ?? [], destroy: true }, out);
        try {
          const plan = run.plan;
          if (!out.json) out.stdout.write(renderPlanHuman(plan, out.color));
          if (plan.errors.length) throw new CommandFailed(`the destroy plan has errors; nothing was deleted:\n${plan.errors.map((e) => `  - ${e}`).join("\n")}`, false);
          if (!hasChanges(plan)) {
            if (!out.json) out.stdout.write(`Nothing to destroy in stack "${ws.stack}".\n`);
            return;
          }
          const question = `Do you really want to destroy ${plan.summary.delete} resource${plan.summary.delete === 1 ? "" : "s"} of stack "${ws.stack}"? There is no undo.`;
          if (!(await confirmApply(out, flags.autoApprove === true, question))) {
            out.stdout.write("Destroy cancelled.\n");
            return;
          }
          await runApply(ws, plan, run.connections, { parallelism, command: "destroy" }, out);
        } finally {
          await run.connections.close();
        }
      } finally {
        await lock.release();
        await ws.store.close();
      }
    });
}
