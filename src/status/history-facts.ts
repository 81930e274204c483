import type { HistoryEntry } from "../state/contract.js";

/**
 * What history says about one resource or schedule (pure; `history` is newest first, as
 * `StateStore.history` returns it). History is an audit log that may be trimmed: a fact it no longer
 * holds is simply unknown.
 */

/** Entries that change what a resource is (applies, imports), not actions on it (snapshots, restarts). */
function changesResources(e: HistoryEntry): boolean {
  return !e.command.startsWith("snapshot ") && !e.command.startsWith("restart");
}

/** Who made the last successful step on `address`: `by` (user@host) and the run's command. */
export function lastAppliedBy(history: HistoryEntry[], address: string): { by: string; command: string } | undefined {
  const h = history.find((e) => changesResources(e) && e.steps.some((s) => s.address === address && s.result === "succeeded"));
  return h ? { by: `${h.user}@${h.host}`, command: h.command } : undefined;
}

/** The error of the newest step on `address` when that step failed; undefined when it succeeded or is unknown. */
export function lastFailure(history: HistoryEntry[], address: string): string | undefined {
  for (const e of history.filter(changesResources)) {
    const step = e.steps.find((s) => s.address === address && s.result !== "skipped" && s.result !== "cancelled");
    if (!step) continue;
    return step.result === "failed" ? step.error ?? `${e.command} failed` : undefined;
  }
  return undefined;
}

/** The newest round of schedule `name` (`vmsync snapshot run` or the daemon). */
export function lastScheduleRun(history: HistoryEntry[], name: string): HistoryEntry | undefined {
  return history.find((e) => e.command === `snapshot run ${name}`);
}
