/**
 * The state store: what vmsync remembers between runs. It is the only source of deletes (vmsync
 * deletes only what its inventory says it created), it keeps `protect` after a manifest is gone,
 * it carries the breadcrumbs of creates that may have happened, and it serialises applies with a lock.
 *
 * Backends: the file backend under `.vmsync/` (default) and, later, PostgreSQL. Every backend passes
 * the same contract tests.
 */

/** One resource vmsync manages (created or imported). Keyed by its address `Kind/name`. */
export interface ResourceRecord {
  /** `Kind/name`, e.g. `VirtualMachine/web-1`. */
  address: string;
  kind: string;
  /** Name of the Provider manifest the resource lives on. */
  provider: string;
  /** The provider's own id (Proxmox `node/vmid`, TrueNAS id, Azure resource id). */
  externalId: string;
  /** The canonical desired spec as last applied (secrets never stored, only their references). */
  appliedSpec: unknown;
  /** Protected resources are never deleted or replaced; survives removal of the manifest. */
  protect: boolean;
  /** ISO-8601 time of the last successful step on this resource. */
  appliedAt: string;
  /** How it came under management. */
  origin: "created" | "imported";
  /** Addresses it depended on when applied; deletes run in the reverse order. */
  dependsOn?: string[];
  /**
   * Set when the last step on this resource failed (cleared by its next successful step): what it
   * was doing, so the next plan reports what vmsync left half-done rather than drift.
   */
  failedStep?: FailedStep;
}

/** A step that failed on a managed resource, as remembered in its state record. */
export interface FailedStep {
  runId: string;
  action: "create" | "update" | "replace" | "delete" | "noop";
  /** ISO-8601 time it failed. */
  at: string;
  /** The error (never a secret). */
  error: string;
  /** Paths of the canonical spec the step was changing. */
  changing: string[];
  /** What the provider says it changed before it failed (see `PartialEffect` in providers/contract.ts). */
  effects?: Array<{ path: string; value: unknown; note: string }>;
}

/**
 * A breadcrumb written before a create that a retry could duplicate. The next run looks for an
 * object carrying `marker` and adopts it instead of creating another.
 */
export interface PendingCreate {
  address: string;
  kind: string;
  provider: string;
  /** The ownership marker the created object will carry (stack + address). */
  marker: string;
  /** Name the object is created under at the provider, when it is deterministic. */
  externalName?: string;
  startedAt: string;
  runId: string;
}

/** The whole state as one value. `serial` increases with every committed change. */
export interface StateSnapshot {
  formatVersion: 1;
  serial: number;
  resources: Record<string, ResourceRecord>;
  pending: Record<string, PendingCreate>;
}

/** One change in a batch; a batch is durable all-or-nothing. */
export type StateChange =
  | { type: "putResource"; record: ResourceRecord }
  | { type: "removeResource"; address: string }
  | { type: "putPending"; pending: PendingCreate }
  | { type: "clearPending"; address: string };

/**
 * Outcome of one step, as kept in history. Error text never contains secrets. Besides apply steps,
 * `restart`, `snapshot` (taken on request) and `rollback` record the actions of `vmsync restart`
 * and `vmsync snapshot create|rollback`.
 */
export interface HistoryStep {
  address: string;
  action: "create" | "update" | "replace" | "delete" | "noop" | "restart" | "snapshot" | "rollback";
  result: "succeeded" | "failed" | "skipped" | "cancelled";
  error?: string;
}

/** One apply (or snapshot run, or import) as remembered in history. */
export interface HistoryEntry {
  id: string;
  command: string;
  user: string;
  host: string;
  startedAt: string;
  finishedAt: string;
  /** Git revision of the manifests when known. */
  revision?: string;
  result: "succeeded" | "failed" | "cancelled" | "partial";
  summary: { create: number; update: number; replace: number; delete: number };
  steps: HistoryStep[];
}

/** Who holds the lock. Shown to a user who finds it held; used to reclaim it when the holder is dead. */
export interface LockInfo {
  id: string;
  host: string;
  pid: number;
  user: string;
  command: string;
  acquiredAt: string;
}

/** A held lock. `release()` is idempotent. */
export interface LockHandle {
  info: LockInfo;
  release(): Promise<void>;
}

/**
 * The contract every backend implements.
 * - `read()` returns the latest committed snapshot (an empty one when nothing was ever written).
 * - `commit(changes)` applies a batch atomically and durably before it resolves (file: temp file,
 *   fsync, rename, mode 0600), and returns the new serial. A crash mid-commit leaves the previous
 *   snapshot intact.
 * - `lock()` takes the apply lock or throws `StateLockedError` naming the holder; a lock whose holder
 *   is dead (same host, pid gone) is reclaimed. `forceUnlock()` removes any lock and returns who held it.
 * - History is append-only; `history(limit)` returns the newest first.
 */
export interface StateStore {
  /** Human-readable location, e.g. the file path or a redacted database URL. */
  readonly location: string;
  read(): Promise<StateSnapshot>;
  commit(changes: StateChange[]): Promise<number>;
  appendHistory(entry: HistoryEntry): Promise<void>;
  history(limit?: number): Promise<HistoryEntry[]>;
  lock(info: Omit<LockInfo, "id" | "acquiredAt">): Promise<LockHandle>;
  forceUnlock(): Promise<LockInfo | undefined>;
  close(): Promise<void>;
}

/** Thrown by `lock()` when another live process holds the lock. */
export class StateLockedError extends Error {
  readonly code = "STATE_LOCKED";
  readonly retryable = false;
  constructor(
    readonly holder: LockInfo,
    readonly location: string,
  ) {
    super(
      `state at ${location} is locked by ${holder.user}@${holder.host} (pid ${holder.pid}, ` +
        `"${holder.command}", since ${holder.acquiredAt}); wait for it to finish, or run ` +
        "`vmsync state unlock` if that process is gone",
    );
    this.name = "StateLockedError";
  }
}

/** An empty state, as `read()` returns before anything was committed. */
export function emptyState(): StateSnapshot {
  return { formatVersion: 1, serial: 0, resources: {}, pending: {} };
}
