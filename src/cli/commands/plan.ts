import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { hasChanges, unreadableSteps } from "../../reconcile/plan-types.js";
import { planToJson } from "../../reconcile/render/json.js";
import { renderPlanHuman } from "../../reconcile/render/human.js";
import { renderPlanMarkdown } from "../../reconcile/render/markdown.js";
import { ExitCode, setExitCode } from "../errors.js";
import type { CliIO } from "../io.js";
import { makePlan } from "../make-plan.js";
import { addPlanFlags, planOptions, type PlanFlags } from "../plan-flags.js";
import { openWorkspace } from "../workspace.js";

interface Flags extends PlanFlags {
  out?: string;
  markdown?: boolean;
  detailedExitcode?: boolean;
}

/** `vmsync plan`: observe, diff and show what apply would do. Changes nothing. */
export function registerPlan(program: Command, io: () => CliIO): void {
  const cmd = program
    .command("plan")
    .description("Show what apply would change, and why (a dry run: nothing is changed)")
    .argument("[paths...]", "manifest files or folders", ["."])
    .option("-o, --out <file>", "save the plan as JSON, to apply exactly it later with `vmsync apply FILE`")
    .option("--markdown", "render the plan as markdown (for a pull-request comment)")
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error")
    .option("--destroy", "plan deleting everything the stack manages (protected resources are kept); apply it with `vmsync apply FILE`");
  addPlanFlags(cmd).addHelpText(
    "after",
    `
Examples:
  $ vmsync plan examples/clusters/demo
  $ vmsync plan -o plan.json --detailed-exitcode      # CI: save the plan, exit 2 when it changes something
  $ vmsync plan --markdown > plan.md                  # a pull-request comment
  $ vmsync plan --target 'VirtualMachine/web-*'       # only the web VMs (and what they need)
  $ vmsync plan --refresh-only                        # report drift only
  $ vmsync plan --destroy -o destroy.json             # what \`vmsync destroy\` would delete, saved
Symbols: + create, ~ update in place, -/+ replace, - delete, ! blocked or drift.`,
  ).action(async (paths: string[], flags: Flags, command: Command) => {
    const out = io();
    const ws = await openWorkspace(paths, flags, out);
    try {
      const { plan, connections } = await makePlan(ws, planOptions(flags), out);
      await connections.close();
      // the JSON form (every spec masked) only when it is written: it costs a walk of the whole fleet
      const json = flags.out || out.json ? planToJson({ ...plan, createdAt: new Date().toISOString() }) : undefined;
      if (flags.out) await writeFile(flags.out, JSON.stringify(json, null, 2) + "\n", { mode: 0o600 });
      if (out.json) out.stdout.write(JSON.stringify(json) + "\n");
      else if (flags.markdown) out.stdout.write(renderPlanMarkdown(plan));
      else out.stdout.write(renderPlanHuman(plan, out.color) + (flags.out ? `\nSaved the plan to ${flags.out}. Apply exactly it with: vmsync apply ${flags.out}\n` : ""));
      if (plan.errors.length || unreadableSteps(plan).length) setExitCode(command, ExitCode.error);
      else if (flags.detailedExitcode && hasChanges(plan)) setExitCode(command, ExitCode.changes);
    } finally {
      await ws.store.close();
    }
  });
}
