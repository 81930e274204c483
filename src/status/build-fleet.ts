import { cronOf } from "../manifest/resolve-schedules.js";
import type { DesiredResource, DesiredState } from "../manifest/model.js";
import type { ObservedResource } from "../providers/contract.js";
import type { Plan, PlanStep } from "../reconcile/plan-types.js";
import type { HistoryEntry, ResourceRecord, StateSnapshot } from "../state/contract.js";
import { nextSlot } from "../daemon/schedule-slots.js";
import { SYNC_STATES, type FleetReport, type FleetRow, type FleetSection, type ProviderHealth } from "./fleet-schema.js";
import { capacitySections, type CapacityRead } from "./capacity-section.js";
import { FleetCoster, type FleetPricing } from "./fleet-cost.js";
import { lastAppliedBy, lastFailure, lastScheduleRun } from "./history-facts.js";

/**
 * What a fleet report is made of — all data, no I/O, no clock but `now`: the manifests, state,
 * the plan and the observed objects of the providers that could be observed (the same bulk observe
 * and pure planner as `vmsync plan`), history (newest first) and each provider's reachability.
 * `held` are failures the daemon remembers (backing off or stalled) besides those in history.
 * `capacity` is each provider's capacity read in the same pass (a section each); with `pricing`
 * the plan's cost estimate prices the rows (`plan.cost`). `sections` follow the capacity ones.
 */
export interface FleetInput {
  stack: string;
  now: Date;
  desired: DesiredState;
  state: StateSnapshot;
  plan: Plan;
  observed: Map<string, ObservedResource[]>;
  history: HistoryEntry[];
  providers: ProviderHealth[];
  held?: Array<{ address: string; error: string }>;
  capacity?: Map<string, CapacityRead>;
  pricing?: FleetPricing;
  sections?: FleetSection[];
}

type Sync = FleetRow["sync"];

/** The sync state of a resource from its plan step (and its drift), before failures are considered. */
function syncOf(step: PlanStep, plan: Plan): Sync {
  const drift = plan.drift.find((d) => d.address === step.address);
  if (step.blocked) return { state: "blocked", fields: step.forcedBy ?? step.changes.map((c) => c.path), detail: step.reason };
  if (step.reasonCode === "suspended") return { state: "suspended", fields: [], detail: step.reason };
  if (step.reasonCode === "gone-outside" || (drift?.type === "deleted" && step.action !== "noop")) return { state: "deleted-outside", fields: [], detail: step.reason };
  if (step.reasonCode === "not-in-manifests" || step.reasonCode === "already-gone" || (step.reasonCode === "blocked-protected" && step.action === "noop")) return { state: "not-in-manifests", fields: [], detail: step.reason };
  if (drift?.type === "changed") return { state: "drifted", fields: drift.changes.map((c) => c.path), detail: "changed outside vmsync since the last apply" };
  if (step.action === "create") return { state: "not-created", fields: [], detail: step.reason };
  if (step.action !== "noop" || step.adopt) return { state: "pending", fields: step.changes.map((c) => c.path), detail: step.reason };
  return { state: "in-sync", fields: [] };
}

function scheduleRuns(r: DesiredResource, history: HistoryEntry[], now: Date): FleetRow["schedule"] | undefined {
  if (r.kind !== "SnapshotSchedule") return undefined;
  const spec = r.spec as { schedule: string; resolvedTargets: string[] };
  const cron = cronOf(spec.schedule);
  if (!cron) return undefined;
  const native = r.provider !== undefined;
  const last = native ? undefined : lastScheduleRun(history, r.name);
  return {
    cron, native, targets: spec.resolvedTargets,
    ...(last ? { lastRun: last.startedAt, lastResult: last.result } : {}),
    ...(r.lifecycle.suspend || spec.resolvedTargets.length === 0 ? {} : { nextRun: new Date(nextSlot(cron, now.getTime())).toISOString() }),
  };
}

function observedFor(input: FleetInput, provider: string | undefined, kind: string, externalId: string | undefined): ObservedResource | undefined {
  if (!provider || !externalId) return undefined;
  return input.observed.get(provider)?.find((o) => o.kind === kind && o.externalId === externalId);
}

function rowOf(input: FleetInput, coster: FleetCoster, address: string, r: DesiredResource | undefined, record: ResourceRecord | undefined, step: PlanStep | undefined): FleetRow {
  const provider = r?.provider ?? (record?.provider || undefined) ?? step?.provider;
  const kind = r?.kind ?? record?.kind ?? step?.kind ?? address.split("/")[0]!;
  const health = provider ? input.providers.find((p) => p.name === provider) : undefined;
  const externalId = step?.externalId ?? record?.externalId;
  const o = observedFor(input, provider, kind, externalId);
  const held = input.held?.find((h) => h.address === address)?.error;
  let sync: Sync = health && !health.reachable ? { state: "unknown", fields: [], detail: health.error ?? "the provider could not be observed" }
    : step ? syncOf(step, input.plan)
    : held !== undefined ? { state: "failed", fields: [], detail: held }
    : { state: "unknown", fields: [], detail: "left out of the plan" };
  if (sync.state !== "in-sync" && sync.state !== "unknown" && sync.state !== "suspended") {
    const failure = held ?? lastFailure(input.history, address);
    if (failure !== undefined) sync = { state: "failed", fields: sync.fields, detail: failure };
  }
  const by = record ? lastAppliedBy(input.history, address) : undefined;
  const schedule = r ? scheduleRuns(r, input.history, input.now) : undefined;
  const cost = coster.row({ address, ...(provider ? { provider } : {}), reachable: !health || health.reachable });
  return {
    address, kind, name: step?.name ?? r?.externalName ?? r?.name ?? o?.name ?? address.slice(address.indexOf("/") + 1),
    ...(provider ? { provider } : {}),
    ...(o || record ? { externalId: o?.externalId ?? record!.externalId } : {}),
    ...(o?.status?.placement ? { placement: o.status.placement } : {}),
    ...(o?.status?.power ? { power: o.status.power } : {}),
    addresses: o?.status?.addresses ?? [],
    protect: r?.lifecycle.protect === true || record?.protect === true,
    sync,
    ...(record ? { lastApplied: { at: record.appliedAt, ...by } } : {}),
    ...(schedule ? { schedule } : {}),
    ...(cost ? { cost } : {}),
  };
}

/**
 * Builds the fleet report (pure): one row per managed resource — every resource in the manifests
 * and every one in state — with where it is, its power and addresses (observed status), whether it
 * is in sync (the plan: drift, pending changes, blocked steps; failures from history or the
 * daemon), when and by whom it was last applied, for schedules the last and next run, and on
 * billed providers its monthly cost now; below the table each provider's capacity.
 */
export function buildFleet(input: FleetInput): FleetReport {
  const desired = new Map(input.desired.resources.map((r) => [r.address, r]));
  const steps = new Map(input.plan.steps.map((s) => [s.address, s]));
  const addresses = [...new Set([...desired.keys(), ...Object.keys(input.state.resources), ...steps.keys()])].sort();
  const coster = new FleetCoster(input.plan, input.pricing);
  const resources = addresses.map((a) => rowOf(input, coster, a, desired.get(a), input.state.resources[a], steps.get(a)));
  const summary: Record<string, number> = { total: resources.length };
  for (const s of SYNC_STATES) summary[s] = resources.filter((r) => r.sync.state === s).length;
  const providers = [...input.providers].sort((a, b) => a.name.localeCompare(b.name));
  const cost = coster.total(resources);
  return {
    formatVersion: 1, stack: input.stack, generatedAt: input.now.toISOString(), summary, resources, providers,
    sections: [...capacitySections(input.capacity ?? new Map(), providers), ...(input.sections ?? [])],
    ...(cost ? { cost } : {}),
  };
}
