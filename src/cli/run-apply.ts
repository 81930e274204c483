import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { execute } from "../reconcile/execute.js";
import { providerLimits } from "../reconcile/limits.js";
import type { Plan } from "../reconcile/plan-types.js";
import { applyView } from "./apply-view.js";
import { CommandFailed, InterruptedError } from "./errors.js";
import type { CliIO } from "./io.js";
import type { PlannedRun } from "./make-plan.js";
import { interruptible } from "./signals.js";
import type { Workspace } from "./workspace.js";

/**
 * Executes an approved plan as `apply` and `destroy` do: progress (or JSON events), Ctrl-C handling,
 * and one history entry named `command`. Throws `InterruptedError` (exit 130) when stopped by a
 * signal and `CommandFailed` (exit 1) when a step failed; the caller holds the state lock.
 */
export async function runApply(ws: Workspace, plan: Plan, connections: PlannedRun["connections"], opts: { parallelism: number; command: string }, out: CliIO): Promise<void> {
  const view = applyView(out);
  const signals = interruptible(() => out.stderr.write("\nStopping: no new steps will start; running steps finish and are recorded. Press Ctrl-C again to abort them.\n"));
  const startedAt = new Date().toISOString();
  const runId = randomUUID();
  try {
    const result = await execute({
      plan, sessions: connections.sessions, providers: connections.providers, store: ws.store, limits: providerLimits(ws.desired), parallelism: opts.parallelism, runId,
      stop: signals.stop.signal, abort: signals.abort.signal, onEvent: view.onEvent,
    });
    await ws.store.appendHistory({
      id: runId, command: opts.command, user: userInfo().username, host: hostname(), startedAt, finishedAt: new Date().toISOString(),
      ...(out.env.VMSYNC_REVISION ? { revision: out.env.VMSYNC_REVISION } : {}), result: result.result, summary: plan.summary, steps: result.steps,
    });
    if (result.result === "cancelled") throw new InterruptedError(`${opts.command} stopped by a signal; state is saved`);
    if (result.result !== "succeeded") throw new CommandFailed(`${opts.command} failed`);
  } finally {
    view.stop();
    signals.dispose();
  }
}
