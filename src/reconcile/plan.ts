import type { DesiredProvider, DesiredResource, DesiredState } from "../manifest/model.js";
import type { CanonicalSpec, FieldChange, ObservedResource, Provider } from "../providers/contract.js";
import { diffSpecs, isUnder } from "../providers/diff-util.js";
import type { ResourceRecord, StateSnapshot } from "../state/contract.js";
import type { PriceTable } from "../cost/price-table.js";
import type { CapacityPool } from "../providers/contract.js";
import { checkCapacity } from "./capacity-check.js";
import { estimateCost } from "./cost-estimate.js";
import { fingerprintOf } from "./fingerprint.js";
import { applyMassDeleteGuard, DEFAULT_MASS_DELETE_SHARE } from "./plan-guard.js";
import { DESTROY_TEXT, destroyView } from "./plan-destroy.js";
import { filterSteps, unmatchedPatternError } from "./plan-filter.js";
import { followParents } from "./plan-follow.js";
import { scheduleSpec } from "./local-resources.js";
import { PLAN_FORMAT_VERSION, type DriftEntry, type Plan, type PlanStep, type PlanSummary, type UnfinishedEntry } from "./plan-types.js";
import { sortDifferences } from "./unfinished.js";

/** Options that shape a plan. Globs match addresses (`VirtualMachine/web-*`). */
export interface PlanOptions {
  targets?: string[];
  excludes?: string[];
  refreshOnly?: boolean;
  allowMassDelete?: boolean;
  /** Share of managed resources above which a plan's deletes are refused (default 0.5). */
  massDeleteShare?: number;
  /**
   * Plan deleting everything the stack manages (`vmsync destroy`, `plan --destroy`): protected
   * resources are kept and named; the mass-delete guard does not apply — destroying everything is
   * what was asked for, explicitly (the command still confirms, or needs --auto-approve).
   */
  destroy?: boolean;
}

/** Everything the planner needs. All of it is data: the planner does no I/O and reads no clock. */
export interface PlanInput {
  stack: string;
  desired: DesiredState;
  /** Observed objects by provider name. */
  observed: Map<string, ObservedResource[]>;
  state: StateSnapshot;
  /** Provider implementation by provider name (only their pure parts are used). */
  providers: Map<string, Provider>;
  options?: PlanOptions;
  /** Capacity pools by provider name (`ProviderSession.capacity`), read with the observation; checked when present. */
  capacity?: Map<string, CapacityPool[]>;
  /** The price table (and which one it is); the plan is priced when present. */
  prices?: { table: PriceTable; which: "shipped" | "cache" };
}

/**
 * Computes the plan: desired + observed + state → steps with reasons, drift and a summary.
 * Rules: deletes come only from the state inventory; same-named unowned objects are conflicts;
 * `protect` (from the manifest, or from state once the manifest is gone) blocks delete and replace;
 * immutable changes replace only with `updatePolicy: replace-allowed`; `ignoreChanges` and
 * server-rewritten fields never show; a mass delete is refused unless allowed.
 */
export function plan(given: PlanInput): Plan {
  const opts = given.options ?? {};
  const input = opts.destroy ? { ...given, ...destroyView(given.desired, given.state) } : given;
  const steps: PlanStep[] = [];
  const drift: DriftEntry[] = [];
  const unfinished: UnfinishedEntry[] = [];
  const errors: string[] = [];
  const notes: string[] = [];
  const desiredAddresses = new Set(input.desired.resources.map((r) => r.address));
  const index = new ObservedIndex(input.observed, input.stack);
  const dependents = new Map<string, string[]>();
  for (const rec of Object.values(input.state.resources)) for (const d of rec.dependsOn ?? []) dependents.set(d, [...(dependents.get(d) ?? []), rec.address]);

  for (const r of input.desired.resources) {
    const record = input.state.resources[r.address];
    const step = planDesired(input, index, r, record, { drift, unfinished });
    steps.push(step);
  }
  for (const record of Object.values(input.state.resources)) {
    if (desiredAddresses.has(record.address)) continue;
    steps.push(planRemoved(input, index, record, dependents.get(record.address) ?? [], drift, notes, opts.destroy === true));
  }
  steps.push(...planInterruptedOrphans(input, index, desiredAddresses));
  followParents(steps, input.desired.resources, input.providers);
  for (const s of steps) if (s.blocked) errors.push(`${s.address}: ${s.reason}`);

  let kept = opts.refreshOnly ? steps.map((s) => ({ ...s, action: "noop" as const, changes: [] })) : steps;
  const filtered = filterSteps(kept, opts.targets ?? [], opts.excludes ?? [], notes);
  kept = filtered.steps;
  const patternErrors = filtered.unmatched.map(unmatchedPatternError);
  const observedSpec = (s: PlanStep) => (s.provider && s.externalId ? index.id(s.provider, s.kind, s.externalId)?.spec : undefined);
  const capacity = input.capacity ? checkCapacity({ steps: kept, pools: input.capacity, providers: input.providers, configs: input.desired.providers, observedSpec }) : undefined;
  kept = kept.map((s) => {
    const why = capacity?.blocked.get(s.address);
    if (!why) return s;
    errors.push(`${s.address}: ${why}`);
    return { ...s, blocked: true, reasonCode: "blocked-capacity" as const, reason: why };
  });
  const summary = summarise(kept);
  const keptAddresses = new Set(kept.map((s) => s.address));
  const guard = applyMassDeleteGuard(summary.delete, Object.keys(input.state.resources).length, opts.allowMassDelete === true || opts.destroy === true, opts.massDeleteShare ?? DEFAULT_MASS_DELETE_SHARE);
  if (guard) errors.push(guard);
  const cost = input.prices ? estimateCost({ steps: kept, providers: input.providers, table: input.prices.table, priceTable: input.prices.which, observedSpec }) : undefined;
  const capacityLines = capacity?.lines;
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    stack: input.stack,
    steps: kept.sort((a, b) => a.address.localeCompare(b.address)),
    summary,
    drift: drift.sort((a, b) => a.address.localeCompare(b.address)),
    ...(unfinished.length ? { unfinished: unfinished.sort((a, b) => a.address.localeCompare(b.address)) } : {}),
    errors: [...patternErrors, ...errors.filter((e) => keptAddresses.has(e.slice(0, e.indexOf(":"))) || e === guard)],
    notes,
    options: { targets: opts.targets ?? [], excludes: opts.excludes ?? [], refreshOnly: opts.refreshOnly === true, allowMassDelete: opts.allowMassDelete === true, ...(opts.destroy ? { destroy: true } : {}) },
    ...(capacityLines ? { capacity: capacityLines } : {}),
    ...(cost ? { cost } : {}),
  };
}

function summarise(steps: PlanStep[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const step of steps) if (!step.blocked && step.action !== "noop") s[step.action]++;
  return s;
}

/** The canonical desired spec and the observed object (if any) of a desired resource. */
/**
 * Observed objects indexed for the planner's three questions: by external id, by this stack's
 * marker address, and by name — so that planning stays linear in the fleet size.
 */
class ObservedIndex {
  private readonly byId = new Map<string, ObservedResource>();
  private readonly byMarker = new Map<string, ObservedResource>();
  private readonly byName = new Map<string, ObservedResource>();
  constructor(observed: Map<string, ObservedResource[]>, stack: string) {
    for (const [provider, list] of observed) {
      for (const o of list) {
        this.byId.set(`${provider}\0${o.kind}\0${o.externalId}`, o);
        if (o.marker?.stack === stack) this.byMarker.set(`${provider}\0${o.kind}\0${o.marker.address}`, o);
        if (!this.byName.has(`${provider}\0${o.kind}\0${o.name}`)) this.byName.set(`${provider}\0${o.kind}\0${o.name}`, o);
      }
    }
  }
  id(provider: string, kind: string, externalId: string) {
    return this.byId.get(`${provider}\0${kind}\0${externalId}`);
  }
  marker(provider: string, kind: string, address: string) {
    return this.byMarker.get(`${provider}\0${kind}\0${address}`);
  }
  name(provider: string, kind: string, name: string) {
    return this.byName.get(`${provider}\0${kind}\0${name}`);
  }
}

function sides(input: PlanInput, index: ObservedIndex, r: DesiredResource, record: ResourceRecord | undefined) {
  if (r.provider === undefined) {
    const desired = scheduleSpec(r);
    const observed: ObservedResource | undefined = record ? { kind: r.kind, externalId: record.externalId, name: r.name, spec: record.appliedSpec as CanonicalSpec } : undefined;
    return { desired, observed, diff: (d: CanonicalSpec, o: CanonicalSpec) => diffSpecs(d, o, () => ({ effect: "in-place" as const })), sensitive: [] as string[] };
  }
  const provider = input.providers.get(r.provider)!;
  const config = input.desired.providers.get(r.provider) as DesiredProvider;
  const desired = provider.canonicalize(r, config);
  // a recorded object that is no longer at its id but carries this stack's marker for this address
  // moved (e.g. a Proxmox HA migration gives it a new node/vmid): it is still ours, at its new id
  const observed = (record ? index.id(r.provider, r.kind, record.externalId) : undefined) ?? index.marker(r.provider, r.kind, r.address);
  const conflict = !record && !observed ? index.name(r.provider, r.kind, r.externalName ?? r.name) : undefined;
  return { desired, observed, conflict, diff: (d: CanonicalSpec, o: CanonicalSpec) => provider.diff(r.kind, d, o), sensitive: provider.sensitivePaths(r.kind) };
}

/** What the planner found besides steps: drift, and what failed applies left half-done. */
interface Findings {
  drift: DriftEntry[];
  unfinished: UnfinishedEntry[];
}

function planDesired(input: PlanInput, index: ObservedIndex, r: DesiredResource, record: ResourceRecord | undefined, found: Findings): PlanStep {
  const { desired, observed, conflict, diff, sensitive } = sides(input, index, r, record);
  const base = {
    address: r.address, kind: r.kind, ...(r.provider ? { provider: r.provider } : {}), name: r.externalName ?? r.name,
    dependsOn: r.dependsOn, fingerprint: fingerprintOf(observed ?? conflict), desired, protect: r.lifecycle.protect, changes: [] as FieldChange[], sensitive,
  };
  if (observed?.error) return unreadable(base, observed);
  const stranger = record && observed ? ownerProblem(input.stack, r.address, r.externalName ?? r.name, observed) : undefined;
  if (stranger) return { ...base, action: "update", blocked: true, externalId: observed!.externalId, reasonCode: "blocked-unowned", reason: stranger };
  if (record) recordDrift(record, observed, r.lifecycle.ignoreChanges, found);
  if (r.lifecycle.suspend) return { ...base, action: "noop", reasonCode: "suspended", reason: "suspended: spec.suspend is true", ...(observed ? { externalId: observed.externalId } : {}) };
  if (conflict) {
    const owner = conflict.marker ? `it belongs to vmsync stack "${conflict.marker.stack}" (${conflict.marker.address})` : "vmsync did not create it";
    return { ...base, action: "create", blocked: true, reasonCode: "blocked-unowned", reason: `a ${r.kind} named "${base.name}" already exists (${conflict.externalId}) but ${owner}; to manage it, run \`vmsync import ${r.address} ${conflict.externalId}\`` };
  }
  if (!observed) {
    return record
      ? { ...base, action: "create", reasonCode: "gone-outside", reason: `deleted outside vmsync (was ${record.externalId}); it will be created again` }
      : { ...base, action: "create", reasonCode: "new", reason: "in the manifests, not at the provider" };
  }
  const adopt = !record;
  const moved = record !== undefined && record.externalId !== observed.externalId;
  const ignore = r.lifecycle.ignoreChanges.map((p) => p.replace(/^spec\./, ""));
  const changes = diff(desired, observed.spec).filter((c) => !ignore.some((p) => isUnder(c.path, p)));
  const common = { ...base, externalId: observed.externalId, changes, ...(adopt ? { adopt: true } : {}) };
  const unsupported = changes.filter((c) => c.effect === "unsupported").map((c) => c.path);
  if (unsupported.length) return { ...common, action: "update", blocked: true, forcedBy: unsupported, reasonCode: "blocked-unsupported", reason: `cannot change ${unsupported.join(", ")}: ${changes.find((c) => c.effect === "unsupported")?.note ?? "the provider does not allow it"}` };
  const immutable = changes.filter((c) => c.effect === "replace").map((c) => c.path);
  if (immutable.length) {
    const protect = r.lifecycle.protect || record?.protect === true;
    if (protect) return { ...common, action: "replace", blocked: true, forcedBy: immutable, reasonCode: "blocked-protected", reason: `${immutable.join(", ")} can only change by replacing it, but it is protected (protect: true)` };
    if (r.lifecycle.updatePolicy !== "replace-allowed") return { ...common, action: "replace", blocked: true, forcedBy: immutable, reasonCode: "blocked-immutable", reason: `${immutable.join(", ")} cannot be changed in place; set updatePolicy: replace-allowed to replace it, or revert the change` };
    return { ...common, action: "replace", forcedBy: immutable, reasonCode: "replace-immutable", reason: `${immutable.join(", ")} cannot be changed in place (updatePolicy: replace-allowed)` };
  }
  const restartRequired = changes.some((c) => c.effect === "restart");
  if (changes.length === 0) {
    if (adopt) return { ...common, action: "noop", reasonCode: "adopt-interrupted-create", reason: "found with this stack's ownership marker (created by an interrupted run); it will be recorded in state" };
    const stale = moved ? `its new id (moved outside vmsync from ${record!.externalId})` : staleRecord(record!, r);
    if (stale) return { ...common, action: "noop", recordOnly: true, reasonCode: "record-state", reason: `up to date at the provider; ${stale} will be recorded in state` };
    return { ...common, action: "noop", reasonCode: "in-sync", reason: "up to date" };
  }
  return {
    ...common, action: "update", ...(restartRequired ? { restartRequired } : {}),
    reasonCode: adopt ? "adopt-interrupted-create" : "changed",
    reason: `${adopt ? "adopted from an interrupted run; " : ""}${changes.length} field${changes.length === 1 ? "" : "s"} differ${changes.length === 1 ? "s" : ""}${restartRequired ? "; some take effect after a restart" : ""}`,
  };
}

/**
 * Whether the object found at a recorded id is still the one vmsync manages: its ownership marker
 * must name this stack and address; an object without a marker (imported, or its marker removed by
 * hand) must at least still have the expected name. Otherwise the id was reused for something
 * else, and vmsync must not update or delete it. Returns the reason, or undefined when it is ours.
 */
function ownerProblem(stack: string, address: string, expectedName: string, observed: ObservedResource): string | undefined {
  const m = observed.marker;
  if (m && (m.stack !== stack || m.address !== address)) {
    return `the object at ${observed.externalId} now belongs to ${m.stack === stack ? m.address : `vmsync stack "${m.stack}" (${m.address})`}, not to ${address}; vmsync will not touch it — run \`vmsync state rm ${address}\` if the record is stale`;
  }
  if (!m && observed.name !== expectedName) {
    return `the object at ${observed.externalId} is now "${observed.name}", not "${expectedName}", and carries no vmsync marker: its id was probably reused; vmsync will not touch it — run \`vmsync state rm ${address}\` if the record is stale`;
  }
  return undefined;
}

/**
 * Objects created by an interrupted run (a pending record, this stack's marker at the provider)
 * whose manifest is gone before the next run could adopt them: they are vmsync's, so they are
 * deleted rather than left orphaned. A pending record with nothing behind it is left alone.
 */
function planInterruptedOrphans(input: PlanInput, index: ObservedIndex, desired: Set<string>): PlanStep[] {
  const out: PlanStep[] = [];
  for (const p of Object.values(input.state.pending)) {
    if (desired.has(p.address) || input.state.resources[p.address]) continue;
    const o = index.marker(p.provider, p.kind, p.address);
    if (!o) continue;
    out.push({
      address: p.address, kind: p.kind as DesiredResource["kind"], provider: p.provider, name: o.name, action: "delete", reasonCode: "not-in-manifests",
      reason: "created by an interrupted run and no longer in the manifests", changes: [], dependsOn: [], fingerprint: fingerprintOf(o), externalId: o.externalId,
      protect: false, sensitive: input.providers.get(p.provider)?.sensitivePaths(p.kind as DesiredResource["kind"]) ?? [],
    });
  }
  return out;
}

/** What of a state record no longer matches the manifest although the object itself is in sync. */
function staleRecord(record: ResourceRecord, r: DesiredResource): string | undefined {
  if (record.failedStep) return `that the failed ${record.failedStep.action} is over`;
  if (record.protect !== r.lifecycle.protect) return r.lifecycle.protect ? "protect: true" : "lifting protect";
  const deps = (a: string[] | undefined) => [...(a ?? [])].sort().join(",");
  if (deps(record.dependsOn) !== deps(r.dependsOn)) return "its dependencies";
  return undefined;
}

function planRemoved(input: PlanInput, index: ObservedIndex, record: ResourceRecord, dependents: string[], drift: DriftEntry[], notes: string[], destroying: boolean): PlanStep {
  const observed = record.provider === "" ? { kind: record.kind as DesiredResource["kind"], externalId: record.externalId, name: record.address, spec: record.appliedSpec as CanonicalSpec } : index.id(record.provider, record.kind, record.externalId);
  const base = {
    address: record.address, kind: record.kind as DesiredResource["kind"], ...(record.provider ? { provider: record.provider } : {}),
    name: observed?.name ?? record.address.split("/")[1]!, dependsOn: dependents, fingerprint: fingerprintOf(observed), externalId: record.externalId, changes: [], protect: record.protect,
    sensitive: input.providers.get(record.provider)?.sensitivePaths(record.kind as DesiredResource["kind"]) ?? [],
    ...(record.appliedSpec ? { desired: record.appliedSpec as Record<string, unknown> } : {}),
  };
  if (observed?.error) return unreadable(base, observed);
  if (record.protect) {
    notes.push(destroying ? DESTROY_TEXT.kept(record.address) : `${record.address} is no longer in the manifests but is protected: it is kept. Run \`vmsync state rm ${record.address}\` to stop managing it.`);
    return { ...base, action: "noop", reasonCode: "blocked-protected", reason: destroying ? "protected (protect: true): kept by destroy" : "not in the manifests, but protected (protect: true in state): kept" };
  }
  if (!observed) {
    drift.push({ address: record.address, type: "deleted", changes: [] });
    return { ...base, action: "delete", reasonCode: "already-gone", reason: "not in the manifests, and already deleted outside vmsync: it is removed from state" };
  }
  const expectedName = (record.appliedSpec as { name?: unknown } | undefined)?.name;
  const stranger = record.provider === "" ? undefined : ownerProblem(input.stack, record.address, typeof expectedName === "string" ? expectedName : observed.name, observed);
  if (stranger) return { ...base, action: "delete", blocked: true, reasonCode: "blocked-unowned", reason: stranger };
  return destroying ? { ...base, action: "delete", reasonCode: "destroy", reason: DESTROY_TEXT.reason } : { ...base, action: "delete", reasonCode: "not-in-manifests", reason: "no longer in the manifests" };
}

/** A step for an object that exists but could not be read: nothing is planned for it, the error is shown. */
function unreadable<B extends Omit<PlanStep, "action" | "reasonCode" | "reason">>(base: B, observed: ObservedResource): PlanStep {
  return { ...base, action: "noop", reasonCode: "unreadable", reason: observed.error!.message, error: observed.error!, externalId: observed.externalId };
}

function recordDrift(record: ResourceRecord, observed: ObservedResource | undefined, ignore: string[], found: Findings): void {
  const address = record.address;
  if (!observed) {
    found.drift.push({ address, type: "deleted", changes: [] });
    return;
  }
  const paths = ignore.map((p) => p.replace(/^spec\./, ""));
  const differences = diffSpecs(record.appliedSpec as CanonicalSpec, observed.spec, () => ({ effect: "in-place" }))
    .filter((c) => !paths.some((p) => isUnder(c.path, p)))
    .map((c) => ({ path: c.path, applied: c.after, observed: c.before }));
  const { drift, unfinished } = sortDifferences(record, differences);
  if (drift.length) found.drift.push({ address, type: "changed", changes: drift });
  if (unfinished) found.unfinished.push(unfinished);
}
