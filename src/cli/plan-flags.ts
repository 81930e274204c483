import type { Command } from "commander";
import type { RunOptions } from "./make-plan.js";

/** Flags shared by `plan` and `apply` (and `watch`). */
export interface PlanFlags {
  target?: string[];
  exclude?: string[];
  refreshOnly?: boolean;
  fullRefresh?: boolean;
  allowMassDelete?: boolean;
  stack?: string;
  state?: string;
  /** `plan --destroy` (and `vmsync destroy`): plan deleting everything the stack manages. */
  destroy?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds the planning flags to a command. */
export function addPlanFlags(cmd: Command): Command {
  return cmd
    .option("--target <pattern>", "only resources whose address matches (glob over Kind/name, or over names of any kind without /; repeatable); their dependencies come along; matching nothing is an error", collect)
    .option("--exclude <pattern>", "leave out resources whose address matches (glob, as --target; repeatable), and what depends on them", collect)
    .option("--refresh-only", "change nothing; only report drift (reads every object, as --full-refresh)")
    .option("--full-refresh", "read every object's details now, instead of serving those whose list data is unchanged from the last read")
    .option("--allow-mass-delete", "allow a plan that deletes every managed resource or more than half of them")
    .option("--stack <name>", "stack name in ownership markers (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db (password from PGPASSWORD, ~/.pgpass or vmsync.config.yaml), default .vmsync/ (or VMSYNC_STATE_URL)");
}

/** Planner (and observe) options from the flags. */
export function planOptions(flags: PlanFlags): RunOptions {
  return {
    targets: flags.target ?? [], excludes: flags.exclude ?? [], refreshOnly: flags.refreshOnly === true, allowMassDelete: flags.allowMassDelete === true,
    ...(flags.destroy ? { destroy: true } : {}), ...(flags.fullRefresh ? { fullRefresh: true } : {}),
  };
}
