import type { PlanStep } from "../reconcile/plan-types.js";
import type { HeldResource } from "./health.js";
import type { PassResult, WatchMode } from "./pass-types.js";

/**
 * A Kubernetes-style condition of one resource. `Ready` is always present; `Stalled` only when
 * the resource cannot progress without a change to its manifest (a permanent failure, a blocked
 * step). Reasons are stable CamelCase codes; messages are for people and never hold secrets.
 */
export interface Condition {
  type: "Ready" | "Stalled";
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** Conditions of one resource, as `/status` lists them. */
export interface ResourceConditions {
  address: string;
  conditions: Condition[];
}

type Draft = Omit<Condition, "lastTransitionTime">;
const ready = (status: Draft["status"], reason: string, message: string): Draft => ({ type: "Ready", status, reason, message });
const stalled = (reason: string, message: string): Draft => ({ type: "Stalled", status: "True", reason, message });

/**
 * Conditions of every resource after a reconciled pass (pure): from the plan, the apply's step
 * results, and what the backoff/stall memory holds now. `previous` keeps `lastTransitionTime`
 * when a condition did not change.
 */
export function conditionsOf(pass: Extract<PassResult, { outcome: "reconciled" }>, held: HeldResource[], mode: WatchMode, previous: Map<string, Condition[]>): ResourceConditions[] {
  const now = new Date(pass.finishedAt).toISOString();
  const drafts = new Map<string, Draft[]>();
  const drifted = new Set(pass.plan.drift.map((d) => d.address));
  const applied = new Map((pass.apply?.steps ?? []).map((s) => [s.address, s]));
  for (const step of pass.plan.steps) drafts.set(step.address, [fromStep(step, { drifted: drifted.has(step.address), applied: applied.get(step.address), mode, heldBack: pass.heldBack })]);
  for (const b of pass.blocked) drafts.set(b.address, [ready("False", "Blocked", b.reason), stalled("Blocked", b.reason)]);
  for (const h of held) {
    drafts.set(h.address, h.state === "stalled"
      ? [ready("False", "Stalled", h.error), stalled("PermanentFailure", `${h.error} (fix the manifest to retry)`)]
      : [ready("False", "Backoff", `${h.error}; retrying after ${new Date(h.retryAt ?? 0).toISOString()} (failure ${h.failures})`)]);
  }
  return [...drafts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([address, list]) => ({
    address,
    conditions: list.map((d) => {
      const before = previous.get(address)?.find((c) => c.type === d.type);
      const same = before && before.status === d.status && before.reason === d.reason;
      return { ...d, lastTransitionTime: same ? before.lastTransitionTime : now };
    }),
  }));
}

function fromStep(step: PlanStep, o: { drifted: boolean; applied?: { result: string; error?: string }; mode: WatchMode; heldBack?: string }): Draft {
  if (o.applied?.result === "succeeded") return ready("True", "Applied", `${step.action} succeeded`);
  if (o.applied?.result === "failed") return ready("False", "ApplyFailed", o.applied.error ?? `${step.action} failed`);
  if (o.applied) return ready("False", o.applied.result === "skipped" ? "DependencyFailed" : "Cancelled", o.applied.error ?? `${step.action} ${o.applied.result}`);
  if (step.reasonCode === "suspended") return ready("Unknown", "Suspended", step.reason);
  if (step.action === "noop" && step.reasonCode === "in-sync") return o.drifted ? ready("False", "Drifted", "changed outside vmsync since the last apply") : ready("True", "InSync", step.reason);
  if (step.action === "noop" && step.reasonCode === "blocked-protected") return ready("True", "Protected", step.reason);
  if (o.drifted && o.mode !== "apply") return ready("False", "Drifted", `changed outside vmsync since the last apply; ${step.reason}`);
  const why = o.heldBack === "change-window" ? "OutsideChangeWindow" : o.heldBack === "state-locked" ? "StateLocked" : o.heldBack === "not-leader" ? "NotLeader" : o.mode === "apply" ? "Progressing" : "ChangesPending";
  return ready("False", why, step.action === "noop" ? step.reason : `${step.action}: ${step.reason}`);
}
