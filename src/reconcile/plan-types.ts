import type { FieldChange } from "../providers/contract.js";
import type { ResourceKind } from "../manifest/model.js";
import type { StateSource } from "../state/state-source.js";

/** Version of the saved plan format (`schemas/plan.schema.json`). Bumped on incompatible changes. */
export const PLAN_FORMAT_VERSION = 1;

/** What a step does. A closed union: the executor switches on it; renderers map it to `+ ~ -/+ -`. */
export type Action = "create" | "update" | "replace" | "delete" | "noop";

/** Why a step is what it is; stable codes for machines, `reason` text for people. */
export type ReasonCode =
  | "new"
  | "adopt-interrupted-create"
  | "gone-outside"
  | "changed"
  | "replace-immutable"
  | "not-in-manifests"
  | "destroy"
  | "already-gone"
  | "in-sync"
  | "record-state"
  | "blocked-immutable"
  | "blocked-unsupported"
  | "blocked-protected"
  | "blocked-unowned"
  | "blocked-capacity"
  | "suspended"
  | "unreadable"
  | "follows-parent";

/**
 * One step of a plan. `fingerprint` is a hash of the observed state the step relies on (or
 * `absent`); a saved plan is refused at apply time when it no longer matches. `desired` is the
 * canonical spec to create or update to (secret references only, never secret values).
 */
export interface PlanStep {
  address: string;
  kind: ResourceKind;
  provider?: string;
  action: Action;
  reasonCode: ReasonCode;
  reason: string;
  changes: FieldChange[];
  dependsOn: string[];
  fingerprint: string;
  externalId?: string;
  /** Name of the object at the provider. */
  name: string;
  desired?: Record<string, unknown>;
  /** The step adopts an object vmsync created but did not record (an interrupted create). */
  adopt?: boolean;
  /** Nothing changes at the provider, but the state record must (protect set or lifted, dependencies changed). */
  recordOnly?: boolean;
  /** Paths that force this replacement (replace) or block the step (blocked). */
  forcedBy?: string[];
  /** Set when the step cannot be applied; apply refuses a plan with blocked steps. */
  blocked?: boolean;
  /** True when some change only takes effect after the VM restarts. */
  restartRequired?: boolean;
  protect: boolean;
  /** Paths of `desired` and `changes` whose values are secret: every view shows them as (sensitive). */
  sensitive: string[];
  /**
   * Set when the object could not be read (reasonCode `unreadable`: a guest that timed out, refused
   * the login or showed another host key). The step changes nothing; the rest of the plan is applied,
   * and the command exits 1 to say that this resource was not checked.
   */
  error?: { code: string; message: string };
}

/** A change made outside vmsync since the last apply: observed differs from what was applied. */
export interface DriftEntry {
  address: string;
  /** `changed` fields differ; `deleted` means the object is gone. */
  type: "changed" | "deleted";
  changes: Array<{ path: string; applied: unknown; observed: unknown }>;
}

/**
 * A resource the last apply left half-done: its step failed (`failed`), and these fields differ from
 * the last applied spec because of that step — what it changed before failing (with the provider's
 * note, e.g. "vmsync deallocated the VM to resize it") or was changing. Not drift: vmsync did it.
 */
export interface UnfinishedEntry {
  address: string;
  failed: { action: Action; at: string; runId: string; error: string };
  changes: Array<{ path: string; applied: unknown; observed: unknown; note: string }>;
}

/** Counts of the summary line. */
export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

/**
 * One capacity pool the plan changes (node memory or vCPUs, a storage, a ZFS pool, a vCPU quota):
 * `total` is what may be allocated (with the provider's overcommit ratio), `used` what is allocated
 * now, `needed` what the plan's unblocked steps add (negative when it frees), `after` = used +
 * needed, `free` = total − used. `status`: `over` when a step had to be blocked for it, `warning`
 * when `after` is above 90 % of `total`. Bytes for memory and space, a count for vCPUs.
 */
export interface CapacityLine {
  provider: string;
  pool: string;
  label: string;
  unit: "bytes" | "count";
  total: number;
  used: number;
  needed: number;
  after: number;
  free: number;
  status: "ok" | "warning" | "over";
  /** Steps that add to (or free) it. */
  steps: string[];
}

/** One billed part of a resource (see `BillableItem`); `monthly` is null when the price table has no price for its meter. */
export interface CostLine {
  component: string;
  description: string;
  meter: string;
  monthly: number | null;
}

/** What a resource costs a month in one state: the sum of the priced lines, and the lines whose price is unknown. */
export interface CostSide {
  monthly: number;
  unknown: number;
  lines: CostLine[];
}

/** A resource's monthly cost now (`before`, absent when it does not exist) and after the plan (`after`, absent when deleted). */
export interface ResourceCost {
  address: string;
  provider?: string;
  before?: CostSide;
  after?: CostSide;
  /** after − before over the priced lines. */
  delta: number;
}

/**
 * The plan's monthly cost estimate (retail pay-as-you-go list prices; Infracost-style): per
 * resource, the totals now and after the plan, and their difference. Lines without a price count
 * in `unknown`, never as 0.
 */
export interface PlanCost {
  currency: string;
  /** Date of the price table. */
  priceDate: string;
  /** Which table: the one shipped with vmsync, or the user's cached one from `vmsync prices update`. */
  priceTable: "shipped" | "cache";
  resources: ResourceCost[];
  monthlyBefore: number;
  monthlyAfter: number;
  delta: number;
  /** Lines (before and after) whose price is not in the table. */
  unknown: number;
}

/** A whole plan: pure data, saved with `plan -o`, rendered by every view. */
export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  stack: string;
  steps: PlanStep[];
  summary: PlanSummary;
  drift: DriftEntry[];
  /** Resources a failed apply left half-done (present when there are any). */
  unfinished?: UnfinishedEntry[];
  /** Problems that make the plan unappliable (blocked steps, mass-delete guard). */
  errors: string[];
  /** Notes for people (e.g. targets pulled in as dependencies). */
  notes: string[];
  /** Options the plan was made with; a saved plan is applied with the same ones. */
  options: { targets: string[]; excludes: string[]; refreshOnly: boolean; allowMassDelete: boolean; destroy?: boolean };
  /** Capacity pools the plan changes (present when providers reported capacity). */
  capacity?: CapacityLine[];
  /** Monthly cost estimate (present when some resource is billed, i.e. on Azure). */
  cost?: PlanCost;
  /** Set by the CLI when saving (the planner has no clock). */
  createdAt?: string;
  /** Manifest paths the plan was made from. */
  manifests?: string[];
  /** Set by the CLI: the state the plan was made from; `apply plan.json` uses exactly it. */
  stateSource?: StateSource;
}

/** Steps whose object could not be read: shown as errors, never applied, and the command exits 1. */
export function unreadableSteps(plan: Plan): PlanStep[] {
  return plan.steps.filter((s) => s.error !== undefined);
}

/** True when applying the plan would change anything, at a provider or in state. */
export function hasChanges(plan: Plan): boolean {
  return plan.steps.some((s) => !s.blocked && (s.action !== "noop" || s.adopt === true || s.recordOnly === true));
}
