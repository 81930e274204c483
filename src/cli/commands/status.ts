import type { Command } from "commander";
import { durationToMs } from "../../manifest/units.js";
import { FleetObserver } from "../../status/fleet-observer.js";
import type { FleetReport } from "../../status/fleet-schema.js";
import { renderFleetText } from "../../status/render-text.js";
import { ExitCode, setExitCode, UsageError } from "../errors.js";
import type { CliIO } from "../io.js";
import { interruptible } from "../signals.js";
import { openWorkspace } from "../workspace.js";

interface Flags {
  watch?: boolean;
  interval: string;
  stack?: string;
  state?: string;
}

const CLEAR = "\u001b[H\u001b[2J";

function show(out: CliIO, report: FleetReport, frame: { watching: boolean; intervalText: string }): void {
  if (out.json) return void out.stdout.write(JSON.stringify(report) + "\n");
  const text = renderFleetText(report, out.color);
  if (!frame.watching) return void out.stdout.write(text);
  const head = out.color.dim(`Every ${frame.intervalText} · ${report.generatedAt.slice(11, 19)} UTC · Ctrl-C to stop`);
  out.stdout.write(out.stdout.isTTY ? `${CLEAR}${head}\n\n${text}` : `${head}\n${text}\n`);
}

/**
 * `vmsync status`: one table of every managed resource — where it runs, its power and addresses,
 * whether it is in sync (drifted fields, pending changes, failures), when and by whom it was last
 * applied, for schedules the last and next run, and on Azure the monthly cost; below the table each
 * provider's capacity. Observes in bulk like `plan` (capacity in the same pass); changes nothing.
 */
export function registerStatus(program: Command, io: () => CliIO): void {
  program
    .command("status")
    .description("Show every managed resource: where it runs, power, addresses, in sync or not, monthly cost (Azure), last applied; then each provider's capacity (changes nothing)")
    .argument("[paths...]", "manifest files or folders", ["."])
    .option("-w, --watch", "refresh until Ctrl-C (on a terminal the screen is redrawn; with --json one report per line)")
    .option("--interval <duration>", "how often --watch refreshes", "10s")
    .option("--stack <name>", "stack name (default: the manifest folder's name, or VMSYNC_STACK)")
    .option("--state <url>", "where the state lives: postgres://user@host/db, default .vmsync/ (or VMSYNC_STATE_URL, vmsync.config.yaml)")
    .addHelpText(
      "after",
      `
Examples:
  $ vmsync status examples/clusters/demo
  $ vmsync status --watch --interval 5s
  $ vmsync status --json | jq '.resources[] | select(.sync.state != "in-sync")'   # schemas/status.schema.json
  $ vmsync status --json | jq '.sections[] | select(.type == "capacity") | .pools[] | select(.status != "ok")'
Costs are retail list prices from the table plans use (vmsync prices show); unknown prices show as unknown.
Exit codes: 0 shown, 1 a provider could not be observed (its resources show as unknown) or an error.`,
    )
    .action(async (paths: string[], flags: Flags, command: Command) => {
      const out = io();
      const intervalMs = durationToMs(flags.interval);
      if (!intervalMs) throw new UsageError(`--interval must be a duration such as 5s or 1m, not "${flags.interval}"`);
      const ws = await openWorkspace(paths, flags, out);
      const observer = new FleetObserver({ desired: ws.desired, stack: ws.stack, env: out.env, store: ws.store });
      const signals = flags.watch ? interruptible(() => {}) : undefined;
      try {
        const frame = { watching: flags.watch === true, intervalText: flags.interval };
        for (;;) {
          const report = await observer.report(new Date());
          show(out, report, frame);
          if (report.providers.some((p) => !p.reachable)) setExitCode(command, ExitCode.error);
          if (!signals) return;
          setExitCode(command, ExitCode.ok);
          const stopped = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), intervalMs);
            signals.stop.signal.addEventListener("abort", () => (clearTimeout(timer), resolve(true)), { once: true });
          });
          if (stopped || signals.stop.signal.aborted) return;
        }
      } finally {
        signals?.dispose();
        await observer.close();
        await ws.store.close();
      }
    });
}
