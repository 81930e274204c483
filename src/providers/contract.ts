import type { DesiredProvider, DesiredResource, ResourceKind } from "../manifest/model.js";
import type { ObserveCache } from "./observe-cache.js";

/**
 * The provider seam. Each provider folder exports one `Provider`. The planner uses only its pure
 * parts (`canonicalize`, `diff`, `sensitivePaths`); the executor and `observe` use the session.
 * Contract of a session (crossplane-style):
 * - `observe` reads everything in scope in bulk (one list call per collection, pages followed,
 *   detail reads batched with bounded concurrency) and returns canonical specs in the same shape
 *   `canonicalize` gives desired ones, so that server rewrites never show as changes.
 * - `create` is safe to retry: the object carries the ownership marker from its first request, so a
 *   retried or interrupted create is found by `observe` and adopted, never duplicated.
 * - `update` changes only what the `changes` list names, in place (restarting only when a change's
 *   effect is `restart` and the provider must), and never touches a field vmsync does not manage.
 * - `delete` succeeds when the object is already gone, and deletes only what vmsync created for it.
 * - every operation waits for the provider's asynchronous completion (Proxmox UPID, TrueNAS job,
 *   Azure long-running operation) and honours `ctx.signal`.
 * - errors are `ProviderError`s that say whether they are transient (`retryable`).
 */
export interface Provider {
  readonly type: "proxmox" | "truenas" | "azure" | "guest";
  /** Opens a session: authenticates and checks the API is reachable. */
  connect(config: DesiredProvider, options: ConnectOptions): Promise<ProviderSession>;
  /** The canonical desired spec of a resource on this provider (pure). */
  canonicalize(resource: DesiredResource, config: DesiredProvider): CanonicalSpec;
  /** Classifies each differing field between desired and observed canonical specs (pure). */
  diff(kind: ResourceKind, desired: CanonicalSpec, observed: CanonicalSpec): FieldChange[];
  /** Paths (dot notation into the canonical spec) whose values are secret: shown as (sensitive). */
  sensitivePaths(kind: ResourceKind): string[];
  /**
   * Optional (`vmsync import --generate`): the manifest `spec` that describes an observed object as
   * it is (`name` is the manifest's metadata.name), so that canonicalizing it gives the observed spec back and the next plan changes nothing.
   * What a manifest cannot say (a secret's value, a setting the schema has no field for) is left
   * out and named in `notes`. Undefined for kinds the provider cannot describe. Pure.
   */
  manifestSpec?(kind: ResourceKind, observed: ObservedResource, config: DesiredProvider, name: string): GeneratedSpec | undefined;
  /**
   * Optional (pure): what an object with this canonical spec takes from the provider's capacity
   * pools (node memory and cores, storage space, pool space, regional vCPU quota). The planner
   * compares the demand of each step's before and after specs with `ProviderSession.capacity`.
   */
  demand?(kind: ResourceKind, spec: CanonicalSpec, config: DesiredProvider): Demand[];
  /**
   * Optional (pure): what an object with this canonical spec is billed for each month, as meters of
   * the price table (`src/cost/`). An empty list means it costs nothing by itself.
   */
  billing?(kind: ResourceKind, spec: CanonicalSpec): BillableItem[];
  /** Optional (pure): what keeping `count` snapshots of an object with this spec is billed (vmsync's own schedules). */
  snapshotBilling?(kind: ResourceKind, spec: CanonicalSpec, count: number): BillableItem | undefined;
  /**
   * Set by providers whose objects live inside their parent (`attachmentOf`), like the guest layer
   * inside its VM: when the plan creates or replaces the parent, the object is planned as a create
   * too (the new parent has none of it), whatever was observed in the old one.
   */
  readonly followsParent?: boolean;
}

/** An amount taken from one capacity pool (`CapacityPool.key`): bytes for space and memory, a count for cores. */
export interface Demand {
  pool: string;
  amount: number;
}

/**
 * One thing a provider has a limited amount of, read in bulk with the rest of the plan:
 * `total` is what may be allocated (physical size × the provider's overcommit ratio), `used` what is
 * allocated now. `key` is what `Provider.demand` names; `aliases` are other keys that mean the same
 * pool (a shared Proxmox storage seen from every node).
 */
export interface CapacityPool {
  key: string;
  aliases?: string[];
  /** For people: "node pve1 memory", "storage local-lvm on pve1", "pool tank", "vCPU quota standardDSv5Family in eastus". */
  label: string;
  unit: "bytes" | "count";
  total: number;
  used: number;
  /** Physical size before the overcommit ratio (when one applies). */
  physical?: number;
  /**
   * One of many fine-grained counters (an Azure VM family's quota, of which a region has dozens):
   * views that list every pool (`vmsync status`) leave it out while nothing uses it. Plans are not affected.
   */
  minor?: boolean;
}

/**
 * One billable meter of a resource: `meter` is a price-table key (`vm/eastus/Standard_D2s_v5/linux`,
 * `disk/eastus/P10 LRS`, `ip/eastus/standard-static`, `files-premium/eastus/LRS`,
 * `snapshot/eastus/standard-lrs`), `quantity` in the meter's unit (hours, disks, GiB) per month.
 */
export interface BillableItem {
  component: "compute" | "os-disk" | "public-ip" | "file-share" | "snapshots";
  meter: string;
  quantity: number;
  /** For people: "Standard_D2s_v5 (linux), 730 h". */
  description: string;
}

/** A manifest spec written from an observed object, and what it could not express. */
export interface GeneratedSpec {
  spec: Record<string, unknown>;
  notes: string[];
}

/** A resource spec in a provider's canonical form: plain JSON, sorted lists, normalised units. */
export type CanonicalSpec = Record<string, unknown>;

/** How a change can be made. `unsupported` can never be made (e.g. shrinking a disk) and blocks the step. */
export type ChangeEffect = "in-place" | "restart" | "replace" | "unsupported";

/** One differing field: `path` in the canonical spec, values before (observed) and after (desired). */
export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
  effect: ChangeEffect;
  /** Why the effect is what it is, e.g. "Proxmox applies memory changes on a running VM at the next restart". */
  note?: string;
}

/** The ownership marker every object vmsync creates carries: which stack and address it belongs to. */
export interface OwnershipMarker {
  stack: string;
  address: string;
}

/** One object as observed at a provider, canonicalised. */
export interface ObservedResource {
  kind: ResourceKind;
  /** The provider's stable id (Proxmox `node/vmid`, TrueNAS numeric id or dataset, Azure resource id). */
  externalId: string;
  /** Name at the provider. */
  name: string;
  /** Present when the object carries vmsync's marker (of any stack). */
  marker?: OwnershipMarker;
  spec: CanonicalSpec;
  /** Runtime facts that are not desired state (never diffed): shown by `status` and the web page. */
  status?: ObservedStatus;
  /**
   * Set when the object exists but could not be read (a guest that times out, refuses the login or
   * shows another host key). `spec` is then meaningless: the plan shows the error for this resource
   * and changes nothing on it, while the rest of the plan goes on.
   */
  error?: { code: string; message: string };
  /**
   * Set when this observe did not read the object's details again but served them from an earlier
   * read (ISO time of that read), because the cheap list data it was read under is unchanged (see
   * `ObserveScope.cache`). Never part of the fingerprint; before vmsync changes or deletes such an
   * object it reads it again (`ProviderSession.reread`, reconcile/fresh-reads.ts).
   */
  cachedAt?: string;
}

/**
 * What a provider knows about an object's life beyond its spec. Every field is optional: a provider
 * fills what its bulk reads return anyway and never makes extra calls just for this.
 */
export interface ObservedStatus {
  /** Where it is: Proxmox node (or a storage's nodes), Azure location, TrueNAS pool. */
  placement?: string;
  /** Power as the provider reports it right now (may differ from the desired `power`). */
  power?: "running" | "stopped" | "deallocated" | "paused" | "unknown";
  /** IP addresses the provider knows (guest agent, NIC, public IP), IPv4 first, without loopback. */
  addresses?: string[];
}

/** What `observe` should read. Providers may read more; the planner ignores what it does not need. */
export interface ObserveScope {
  kinds: ResourceKind[];
  /** External ids known from state (objects vmsync manages). */
  externalIds: string[];
  /** Names desired resources will have at this provider (to find same-named unowned objects). */
  names: string[];
  /**
   * Optional: the desired resources on this provider, for providers that need more than names to
   * know where to read (Azure: the resource groups and storage accounts their specs name).
   */
  desired?: DesiredResource[];
  /** State records on this provider, for providers that need more than their ids (the guest layer: last applied spec). */
  records?: Array<{ address: string; externalId: string; appliedSpec: unknown }>;
  /**
   * Only for sessions observed after the providers (`observesAfterProviders`): the object a resource
   * address stands for in the providers' observations (by its state id, else by this stack's marker).
   */
  locate?: (address: string, stack: string) => ObservedResource | undefined;
  /**
   * Kinds of the creates an interrupted run may have left behind on this provider (its pending
   * records): a provider that skips reading a kind nothing else asks for must still read these.
   */
  pendingKinds?: ResourceKind[];
  /**
   * Optional: details read by earlier observes. A provider whose bulk lists leave out details it
   * must read one object at a time (Proxmox guest configs) may serve an object from it while the
   * object's cheap list data is unchanged and the entry is younger than the provider's full-read
   * interval, and remembers what it reads. Providers that read everything in bulk ignore it.
   */
  cache?: ObserveCache;
}

/** Options of `connect`. */
export interface ConnectOptions {
  /** The stack name written into ownership markers. */
  stack: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called once per API request, for metrics and debugging (never with secrets). */
  onRequest?: (info: { provider: string; method: string; path: string; status?: number; ms: number; error?: string }) => void;
}

/** Per-operation context: cancellation and the step's deadline (epoch ms). */
export interface OperationContext {
  signal: AbortSignal;
  deadline: number;
}

/** A request to create one resource. `spec` is the canonical desired spec. */
export interface CreateRequest {
  address: string;
  kind: ResourceKind;
  name: string;
  spec: CanonicalSpec;
  marker: OwnershipMarker;
  /**
   * True when nothing this create could adopt can exist: the plan was made from an observation of
   * this run that found no object carrying the marker, no earlier run left a pending record for the
   * address, and this is the first attempt. The provider may then skip looking for such an object
   * (a listing that grows with the fleet) — never the checks that protect objects it does not own.
   */
  fresh?: boolean;
}

/** A request to update one resource in place. */
export interface UpdateRequest {
  address: string;
  kind: ResourceKind;
  externalId: string;
  spec: CanonicalSpec;
  changes: FieldChange[];
  marker: OwnershipMarker;
}

/** A request to delete one resource vmsync manages. */
export interface DeleteRequest {
  address: string;
  kind: ResourceKind;
  externalId: string;
  /** The last applied spec, so the provider knows what it created (disks, NICs, IPs). */
  spec?: CanonicalSpec;
}

/** A live connection to one provider. */
export interface ProviderSession {
  observe(scope: ObserveScope): Promise<ObservedResource[]>;
  create(req: CreateRequest, ctx: OperationContext): Promise<ObservedResource>;
  update(req: UpdateRequest, ctx: OperationContext): Promise<ObservedResource>;
  delete(req: DeleteRequest, ctx: OperationContext): Promise<void>;
  /**
   * Reads these objects' details again, bypassing any cache (objects gone are left out). Required of
   * a provider that ever sets `ObservedResource.cachedAt`: the plan re-reads what it would change.
   */
  reread?(targets: Array<{ kind: ResourceKind; externalId: string }>): Promise<ObservedResource[]>;
  /** Optional kind-specific actions. */
  snapshots?: SnapshotActions;
  /** Optional: power actions people ask for (`vmsync restart`). */
  power?: PowerActions;
  /**
   * Optional: the provider's capacity pools (see `CapacityPool`), read in bulk (one list call per
   * collection) in the same observe pass as `observe`; `scope` says where desired resources go.
   */
  capacity?(scope: ObserveScope): Promise<CapacityPool[]>;
  /**
   * True for a session that observes inside what the providers observed (the guest layer needs each
   * VM's power and addresses): `observe` runs after every other session's, with `scope.locate`.
   */
  readonly observesAfterProviders?: boolean;
  close(): Promise<void>;
}

/** The object an action is about: its kind and the provider's id. */
export interface ActionTarget {
  kind: ResourceKind;
  externalId: string;
}

/** A snapshot as a provider lists it. `stack` is set when it carries vmsync's marker (taken by that stack). */
export interface ListedSnapshot {
  name: string;
  createdAt: string;
  stack?: string;
}

/**
 * Snapshots of a managed object: taken and pruned by vmsync's own schedules (providers without
 * native schedules), and taken or rolled back on request (`vmsync snapshot create|rollback`).
 * `create` marks the snapshot with the stack; creating a name that exists and deleting one that is
 * gone count as done. `rollback` returns the object to the snapshot and waits for it (a provider
 * may have to stop the VM first; it leaves it in the power state the snapshot or the provider gives).
 */
export interface SnapshotActions {
  list(target: ActionTarget): Promise<ListedSnapshot[]>;
  create(target: ActionTarget, name: string, ctx: OperationContext): Promise<void>;
  delete(target: ActionTarget, name: string, ctx: OperationContext): Promise<void>;
  rollback?(target: ActionTarget, name: string, ctx: OperationContext): Promise<void>;
}

/**
 * Restart of a running VM (guest reboot through the provider's own API, waited for). Restart never
 * starts a stopped VM: a VM that is not running fails with a `NOT_RUNNING` ProviderError.
 */
export interface PowerActions {
  restart(target: ActionTarget, ctx: OperationContext): Promise<void>;
}

/**
 * A change an operation made before it failed, so the next plan can say what vmsync left half-done
 * instead of "changed outside vmsync" (e.g. an Azure resize that deallocated the VM, then failed):
 * `path` in the canonical spec, the `value` it now has, and what vmsync did, for people.
 */
export interface PartialEffect {
  path: string;
  value: unknown;
  note: string;
}

/**
 * Attaches the partial effects of a failed operation to its error (a `ProviderError` or any other)
 * and returns it, for `throw withPartialEffects(err, done)`. Nothing is attached when `effects` is empty.
 */
export function withPartialEffects(err: unknown, effects: PartialEffect[]): unknown {
  if (!effects.length || err === null || typeof err !== "object") return err;
  const earlier = partialEffectsOf(err);
  return Object.assign(err, { partialEffects: [...earlier, ...effects] });
}

/** The partial effects a failed operation reported (see {@link withPartialEffects}). */
export function partialEffectsOf(err: unknown): PartialEffect[] {
  const v = (err as { partialEffects?: unknown } | null)?.partialEffects;
  return Array.isArray(v) ? (v as PartialEffect[]) : [];
}

/**
 * A failure talking to a provider. `retryable` is true only for transient conditions (429, 5xx,
 * lock timeouts, busy); the message starts with what was being done and keeps the provider's own
 * text, with secrets removed.
 */
export class ProviderError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** Milliseconds the provider asked us to wait before retrying (Retry-After). */
  readonly retryAfterMs?: number;
  constructor(message: string, options: { code: string; retryable: boolean; cause?: unknown; retryAfterMs?: number }) {
    super(message, { cause: options.cause });
    this.name = "ProviderError";
    this.code = options.code;
    this.retryable = options.retryable;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

/** True when `err` says the VM is not running (`PowerActions.restart` on a stopped VM). */
export function isNotRunning(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === "NOT_RUNNING";
}

/** True when `err` is worth retrying. Only errors that say so are: everything else is permanent. */
export function isTransient(err: unknown): boolean {
  return err instanceof Error && (err as { retryable?: unknown }).retryable === true;
}
