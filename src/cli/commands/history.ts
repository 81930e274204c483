import type { Command } from "commander";
import type { CliIO } from "../io.js";
import { openWorkspace } from "../workspace.js";

/** `vmsync history`: past applies, snapshot runs and actions (restart, snapshot create/rollback), newest first. */
export function registerHistory(program: Command, io: () => CliIO): void {
  program
    .command("history")
    .description("Show the audit log: past applies, destroys, snapshot runs, restarts, rollbacks, imports and state removals (who, when, what), newest first")
    .option("-C, --dir <folder>", "the manifest folder whose .vmsync/ state to use", ".")
    .option("-n, --limit <n>", "how many", "20")
    .option("--stack <name>", "stack name (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText("after", "\nExamples:\n  $ vmsync history\n  $ vmsync history -n 5 --json")
    .action(async (flags: { dir: string; limit: string; stack?: string; state?: string }) => {
      const out = io();
      const ws = await openWorkspace([flags.dir], { ...(flags.stack ? { stack: flags.stack } : {}), ...(flags.state ? { state: flags.state } : {}) }, out, false);
      try {
        const entries = await ws.store.history(Number(flags.limit) || 20);
        if (out.json) return void out.stdout.write(JSON.stringify({ formatVersion: 1, history: entries }) + "\n");
        for (const h of entries) {
          const s = h.summary;
          const actionOnly = h.steps.length > 0 && h.steps.every((x) => x.action === "restart" || x.action === "snapshot" || x.action === "rollback");
          const counts = actionOnly ? `${h.steps.length} resource${h.steps.length === 1 ? "" : "s"}` : `+${s.create} ~${s.update} -/+${s.replace} -${s.delete}`;
          out.stdout.write(`${h.startedAt}  ${h.result.padEnd(9)}  ${h.user}@${h.host}  ${h.command}  ${counts}${h.revision ? `  ${h.revision}` : ""}\n`);
          for (const st of h.steps.filter((x) => x.result !== "succeeded")) out.stdout.write(`    ${st.address}: ${st.result}${st.error ? ` — ${st.error}` : ""}\n`);
        }
        if (!entries.length) out.stderr.write("No history yet.\n");
      } finally {
        await ws.store.close();
      }
    });
}
