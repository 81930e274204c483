import { hostname, userInfo } from "node:os";
import type { Command } from "commander";
import { hasChanges, unreadableSteps, type Plan } from "../../reconcile/plan-types.js";
import { renderPlanHuman } from "../../reconcile/render/human.js";
import { confirmApply } from "../confirm.js";
import { CommandFailed, UsageError } from "../errors.js";
import { runApply } from "../run-apply.js";
import type { CliIO } from "../io.js";
import { makePlan } from "../make-plan.js";
import { addPlanFlags, planOptions, type PlanFlags } from "../plan-flags.js";
import { looksLikePlanFile, readSavedPlan, staleSteps } from "../saved-plan.js";
import { openSavedPlanWorkspace } from "../saved-plan-workspace.js";
import { openWorkspace } from "../workspace.js";

interface Flags extends PlanFlags {
  autoApprove?: boolean;
  parallelism: string;
}

/** `vmsync apply`: plan (or load a saved plan), confirm, execute, record. */
export function registerApply(program: Command, io: () => CliIO): void {
  const cmd = program
    .command("apply")
    .description("Make the infrastructure match the manifests (or apply a saved plan exactly)")
    .argument("[paths...]", "manifest files or folders, or one saved plan (.json)", ["."])
    .option("--auto-approve", "do not ask for confirmation (required when not on a terminal)")
    .option("--parallelism <n>", "most steps in flight at once across providers", "10");
  addPlanFlags(cmd).addHelpText(
    "after",
    `
Examples:
  $ vmsync apply examples/clusters/demo              # shows the plan, asks, applies
  $ vmsync apply --auto-approve                      # CI, after review
  $ vmsync plan -o plan.json && vmsync apply plan.json   # apply exactly what was reviewed
  $ vmsync apply --json --auto-approve               # one event per line: step.start, step.done, step.failed, summary
Ctrl-C stops starting new steps and lets running ones finish; a second Ctrl-C aborts them. State is saved either way (exit 130).`,
  ).action(async (args: string[], flags: Flags) => {
    const out = io();
    const parallelism = Number(flags.parallelism);
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new UsageError(`--parallelism must be a whole number ≥ 1, not ${flags.parallelism}`);
    const saved = looksLikePlanFile(args) ? await readSavedPlan(args[0]!) : undefined;
    const ws = saved ? await openSavedPlanWorkspace(args[0]!, saved, flags, out) : await openWorkspace(args, flags, out);
    const lock = await ws.store.lock({ host: hostname(), pid: process.pid, user: userInfo().username, command: `vmsync apply ${args.join(" ")}`.trim() });
    try {
      const run = await makePlan(ws, saved ? saved.options : planOptions(flags), out);
      try {
        let plan: Plan = run.plan;
        if (saved) {
          const stale = staleSteps(saved, run.plan);
          if (stale.length) throw new UsageError(`Saved plan is stale:\n${stale.map((s) => `  - ${s}`).join("\n")}`, "Make a new plan and review it.");
          plan = saved;
        } else if (!out.json) out.stdout.write(renderPlanHuman(plan, out.color));
        if (plan.errors.length) throw new CommandFailed(`the plan has errors; nothing was applied:\n${plan.errors.map((e) => `  - ${e}`).join("\n")}`, false);
        if (hasChanges(plan)) {
          if (!saved && !(await confirmApply(out, flags.autoApprove === true))) {
            out.stdout.write("Apply cancelled.\n");
            return;
          }
          await runApply(ws, plan, run.connections, { parallelism, command: plan.options.destroy ? "destroy" : "apply" }, out);
        }
        const unread = unreadableSteps(plan);
        if (unread.length) throw new CommandFailed(`${unread.length} resource${unread.length === 1 ? " was" : "s were"} not read, so not changed:\n${unread.map((s) => `  - ${s.address}: ${s.error!.message}`).join("\n")}`, false);
      } finally {
        await run.connections.close();
      }
    } finally {
      await lock.release();
      await ws.store.close();
    }
  });
}
