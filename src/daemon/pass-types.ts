import type { Diagnostic } from "../manifest/diagnostics.js";
import type { DesiredState } from "../manifest/model.js";
import type { ApplyResult } from "../reconcile/events.js";
import type { CapacityPool, ObservedResource } from "../providers/contract.js";
import type { Plan, PlanCost, PlanStep } from "../reconcile/plan-types.js";
import type { HistoryStep } from "../state/contract.js";
import type { FleetPricing } from "../status/fleet-cost.js";

/**
 * What the daemon does with a plan. `observe` reports drift only (a refresh-only plan), `plan` also
 * computes what would change, `apply` changes it (self-heal), inside change windows and while leader.
 */
export type WatchMode = "observe" | "plan" | "apply";

/** Why an apply-mode pass did not apply its changes. */
export type HeldBack = "change-window" | "not-leader" | "state-locked" | "plan-errors" | "stopping";

/** A step that failed during an apply, with the executor's transient/permanent verdict. */
export interface StepFailure {
  address: string;
  error: string;
  code?: string;
  retryable: boolean;
}

/** What an apply inside a pass did. */
export interface PassApply {
  result: ApplyResult;
  steps: HistoryStep[];
  failures: StepFailure[];
  historyId: string;
}

/**
 * The outcome of one reconcile pass. A discriminated union on `outcome`:
 * - `invalid`: the manifests have errors; nothing was observed or applied.
 * - `failed`: connecting or observing failed (e.g. a provider is down); nothing was applied.
 * - `reconciled`: observed and planned; `apply` is set when changes were applied, `heldBack` when
 *   apply mode had changes it did not apply, and why.
 */
export type PassResult = { startedAt: number; finishedAt: number; revision?: string; reasons: string[] } & (
  | { outcome: "invalid"; diagnostics: Diagnostic[] }
  | { outcome: "failed"; error: string; desired: DesiredState }
  | {
      outcome: "reconciled";
      desired: DesiredState;
      plan: Plan;
      /** Steps the planner blocked (left out of the plan that was applied). */
      blocked: PlanStep[];
      /**
       * The latest observation (by provider) and the plan made from it: after an apply that changed
       * something the providers are observed once more (nothing is applied then), so that views
       * (the fleet on the status page) show what is, not what was before the apply.
       */
      observed: Map<string, ObservedResource[]>;
      /** Each provider's capacity, read with that observation (`readCapacity`; `current` is checked against it). */
      capacity: Map<string, CapacityPool[]>;
      /**
       * The price table `current` was priced with, the providers that bill, and the cost estimate of
       * everything observed (held and blocked resources included), for the fleet's cost.
       */
      pricing: FleetPricing & { cost?: PlanCost };
      current: Plan;
      /** Addresses left out because they are backing off or stalled. */
      held: string[];
      apply?: PassApply;
      heldBack?: HeldBack;
      lockedBy?: string;
    }
);
