import { isUnder } from "../providers/diff-util.js";
import type { ResourceRecord } from "../state/contract.js";
import type { UnfinishedEntry } from "./plan-types.js";

/** A field that differs from what was last applied. */
export interface AppliedDifference {
  path: string;
  applied: unknown;
  observed: unknown;
}

/**
 * Sorts the differences between a resource's last applied spec and what is observed now: when the
 * last step on it failed, the fields that step changed before failing (its reported effects) and
 * the fields it was changing are vmsync's own half-done work — an `UnfinishedEntry`, never drift.
 * Everything else (and everything, without a failed step) is drift: changed outside vmsync. Pure.
 */
export function sortDifferences(record: ResourceRecord, differences: AppliedDifference[]): { drift: AppliedDifference[]; unfinished?: UnfinishedEntry } {
  const failed = record.failedStep;
  if (!failed) return { drift: differences };
  const drift: AppliedDifference[] = [];
  const ours: UnfinishedEntry["changes"] = [];
  for (const d of differences) {
    const effect = (failed.effects ?? []).find((e) => isUnder(d.path, e.path));
    if (effect) ours.push({ ...d, note: effect.note });
    else if (failed.changing.some((p) => isUnder(d.path, p))) ours.push({ ...d, note: `the failed ${failed.action} was changing it` });
    else drift.push(d);
  }
  return {
    drift,
    unfinished: { address: record.address, failed: { action: failed.action, at: failed.at, runId: failed.runId, error: failed.error }, changes: ours },
  };
}
