import { guestHint } from "../guest/hints.js";
import type { ExecEvent } from "../reconcile/events.js";
import type { Action } from "../reconcile/plan-types.js";
import type { CliIO } from "./io.js";

const ING: Record<Action, string> = { create: "Creating", update: "Modifying", replace: "Replacing", delete: "Destroying", noop: "Adopting" };
const DONE: Record<Action, string> = { create: "Creation", update: "Modifications", replace: "Replacement", delete: "Destruction", noop: "Adoption" };

function seconds(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/**
 * Renders executor events for people, one line per event (Terraform-style), plus "Still …" lines
 * every 10 s for long steps when on a TTY; with --json, one event object per line instead.
 * `stop()` ends the ticker.
 */
export function applyView(io: CliIO): { onEvent: (e: ExecEvent) => void; stop: () => void } {
  if (io.json) return { onEvent: (e) => io.stdout.write(JSON.stringify(e) + "\n"), stop: () => {} };
  const c = io.color;
  const running = new Map<string, { action: Action; since: number }>();
  const ticker = io.stdout.isTTY
    ? setInterval(() => {
        for (const [address, r] of running) io.stdout.write(`${c.bold(address)}: Still ${ING[r.action].toLowerCase()}... [${seconds(Date.now() - r.since)} elapsed]\n`);
      }, 10_000)
    : undefined;
  ticker?.unref();
  const onEvent = (e: ExecEvent) => {
    switch (e.type) {
      case "step.start":
        running.set(e.address, { action: e.action, since: Date.now() });
        io.stdout.write(`${c.bold(e.address)}: ${ING[e.action]}...\n`);
        break;
      case "step.retry":
        io.stdout.write(`${c.bold(e.address)}: ${c.yellow(`retrying in ${seconds(e.delayMs)} (attempt ${e.attempt})`)}: ${e.error}\n`);
        break;
      case "step.done":
        running.delete(e.address);
        io.stdout.write(`${c.bold(e.address)}: ${c.green(`${DONE[e.action]} complete after ${seconds(e.durationMs)}`)}${e.externalId ? ` [id=${e.externalId}]` : ""}\n`);
        for (const m of e.mismatch ?? []) io.stdout.write(`  ${c.yellow("warning:")} after the step, ${m.path} is ${JSON.stringify(m.before)}, not ${JSON.stringify(m.after)} as planned; the next plan will show it\n`);
        break;
      case "step.failed":
        running.delete(e.address);
        io.stderr.write(`${c.bold(e.address)}: ${c.red(`failed${e.attempts > 1 ? ` after ${e.attempts} attempts` : ""}`)}: ${e.error}\n`);
        if (guestHint(e.code)) io.stderr.write(`  ${c.dim("hint:")} ${guestHint(e.code)}\n`);
        break;
      case "step.skipped":
        io.stdout.write(`${c.bold(e.address)}: ${c.dim(`skipped: ${e.reason}`)}\n`);
        break;
      case "summary": {
        const n = e.counts;
        const counts = `${n.create} created, ${n.update} updated, ${n.replace} replaced, ${n.delete} deleted`;
        if (e.result === "succeeded") io.stdout.write(`\n${c.green(c.bold(`Apply complete! Resources: ${counts}.`))}\n`);
        else if (e.result === "cancelled") io.stdout.write(`\n${c.yellow(c.bold(`Apply interrupted. Resources: ${counts}; ${e.cancelled} not started. State is saved; run apply again to finish.`))}\n`);
        else io.stdout.write(`\n${c.red(c.bold(`Apply failed: ${e.failed} failed, ${e.skipped} skipped. Resources: ${counts}.`))}\n`);
        break;
      }
    }
  };
  return { onEvent, stop: () => ticker && clearInterval(ticker) };
}
