import { summaryLine } from "../reconcile/render/human.js";
import type { ExecEvent } from "../reconcile/events.js";
import type { Logger } from "./log.js";
import type { PassResult } from "./pass-types.js";
import type { ScheduleRun } from "./schedule-runner.js";

/** Logs the outcome of a pass: one line, plus one per manifest error or blocked step. */
export function logPass(logger: Logger, pass: PassResult): void {
  const common = { reasons: pass.reasons, revision: pass.revision?.slice(0, 12), ms: pass.finishedAt - pass.startedAt };
  if (pass.outcome === "invalid") {
    const errors = pass.diagnostics.filter((d) => d.severity === "error");
    logger.log("error", `manifests have ${errors.length} error(s); nothing is observed or applied until they are fixed`, common);
    for (const d of errors) logger.log("error", `${d.file}:${d.line}:${d.column}: ${d.path ? `${d.path}: ` : ""}${d.message}`, { code: d.code });
    return;
  }
  if (pass.outcome === "failed") {
    logger.log("error", "reconcile failed; nothing was applied", { ...common, error: pass.error });
    return;
  }
  for (const b of pass.blocked) logger.log("warn", `blocked: ${b.address}: ${b.reason}`);
  for (const e of pass.plan.errors) logger.log("warn", `plan error: ${e}`);
  logger.log(pass.apply && pass.apply.result !== "succeeded" ? "warn" : "info", "reconciled", {
    ...common, plan: summaryLine(pass.plan), drift: pass.plan.drift.length, held: pass.held.length ? pass.held : undefined,
    heldBack: pass.heldBack, lockedBy: pass.lockedBy, applied: pass.apply?.result,
  });
}

/** Logs executor events, one line each. */
export function logEvent(logger: Logger, e: ExecEvent): void {
  if (e.type === "step.start") logger.log("info", `${e.action} ${e.address} started`);
  else if (e.type === "step.done") logger.log("info", `${e.action} ${e.address} done`, { ms: e.durationMs, id: e.externalId });
  else if (e.type === "step.failed") logger.log("error", `${e.action} ${e.address} failed: ${e.error}`, { code: e.code, retryable: e.retryable, attempts: e.attempts });
  else if (e.type === "step.retry") logger.log("warn", `${e.action} ${e.address} retrying: ${e.error}`, { attempt: e.attempt, delayMs: e.delayMs });
  else if (e.type === "step.skipped") logger.log("warn", `${e.action} ${e.address} skipped: ${e.reason}`);
}

/** Logs a snapshot schedule run. */
export function logScheduleRun(logger: Logger, run: ScheduleRun): void {
  const created = run.results.filter((r) => r.created).map((r) => `${r.target}:${r.created}`);
  const pruned = run.results.flatMap((r) => r.pruned.map((p) => `${r.target}:${p}`));
  logger.log(run.result === "succeeded" ? "info" : "error", `snapshot schedule ${run.schedule} ${run.result}`, {
    created: created.length ? created : undefined, pruned: pruned.length ? pruned : undefined, error: run.results.find((r) => r.error)?.error,
  });
}
