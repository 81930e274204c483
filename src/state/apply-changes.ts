/**
 * Backend-neutral pieces of the state model: applying a batch of changes to a snapshot, and checking
 * that a parsed value really is a snapshot. Every backend uses these, so they behave alike.
 */
import type { StateChange, StateSnapshot } from "./contract.js";

/** Thrown for a batch that cannot be applied (unknown change type, missing address); nothing is written. */
export class InvalidStateChangeError extends Error {
  readonly code = "STATE_INVALID_CHANGE";
  constructor(readonly index: number, detail: string) {
    super(`state change #${index} is invalid: ${detail}`);
    this.name = "InvalidStateChangeError";
  }
}

/**
 * Returns a new snapshot with `changes` applied in order and `serial` increased by one. The input is
 * not modified and the result shares no objects with it or with the changes (deep copies), so later
 * mutation by the caller cannot leak into stored state. Validates the whole batch first: if any
 * change is invalid it throws {@link InvalidStateChangeError} and nothing is applied. Values that JSON
 * cannot represent (BigInt, cycles) throw too. An empty batch still yields serial + 1; callers decide
 * whether to commit it (the backends do not).
 */
export function applyChanges(snapshot: StateSnapshot, changes: readonly StateChange[]): StateSnapshot {
  changes.forEach(validateChange);
  const next: StateSnapshot = cloneJson(snapshot);
  applyInPlace(next, cloneJson(changes));
  next.serial = snapshot.serial + 1;
  return next;
}

/**
 * Validates `changes` and returns a deep copy of them (through JSON, as storage would), or throws
 * {@link InvalidStateChangeError} / a JSON error: what a backend checks before it writes a batch.
 */
export function checkedCopy(changes: readonly StateChange[]): StateChange[] {
  if (!Array.isArray(changes)) throw new TypeError("commit() expects an array of changes");
  changes.forEach(validateChange);
  return cloneJson(changes) as StateChange[];
}

/**
 * Applies already checked and copied `changes` to `target` itself (no serial change): for a backend
 * that owns its snapshot, so a batch costs what it changes, not the size of the state.
 */
export function applyInPlace(target: StateSnapshot, changes: readonly StateChange[]): void {
  for (const change of changes) {
    switch (change.type) {
      case "putResource":
        target.resources[change.record.address] = change.record;
        break;
      case "removeResource":
        delete target.resources[change.address];
        break;
      case "putPending":
        target.pending[change.pending.address] = change.pending;
        break;
      case "clearPending":
        delete target.pending[change.address];
        break;
    }
  }
}

function validateChange(change: StateChange, index: number): void {
  const c = change as unknown as Record<string, unknown> | null;
  if (!c || typeof c !== "object") throw new InvalidStateChangeError(index, "not an object");
  switch (c.type) {
    case "putResource":
      return requireAddress(index, c.record, "record.address");
    case "putPending":
      return requireAddress(index, c.pending, "pending.address");
    case "removeResource":
    case "clearPending":
      return requireAddress(index, c, "address");
    default:
      throw new InvalidStateChangeError(index, `unknown type ${JSON.stringify(c.type)}`);
  }
}

function requireAddress(index: number, holder: unknown, what: string): void {
  const address = (holder as { address?: unknown } | null | undefined)?.address;
  if (typeof address !== "string" || address === "") {
    throw new InvalidStateChangeError(index, `${what} must be a non-empty string`);
  }
}

/**
 * Checks that `value` (parsed from storage) is a StateSnapshot this version understands and returns
 * it; otherwise returns a one-line reason. It checks the envelope (version, serial, maps), not every
 * record field.
 */
export function checkSnapshot(value: unknown): StateSnapshot | string {
  if (!value || typeof value !== "object" || Array.isArray(value)) return "not a JSON object";
  const v = value as Record<string, unknown>;
  if (typeof v.formatVersion === "number" && v.formatVersion > 1) {
    return `formatVersion ${v.formatVersion} was written by a newer vmsync; upgrade vmsync to use it`;
  }
  if (v.formatVersion !== 1) return `formatVersion must be 1, found ${JSON.stringify(v.formatVersion)}`;
  if (!Number.isSafeInteger(v.serial) || (v.serial as number) < 0) return "serial must be a non-negative integer";
  for (const key of ["resources", "pending"] as const) {
    const m = v[key];
    if (!m || typeof m !== "object" || Array.isArray(m)) return `${key} must be an object`;
  }
  return value as StateSnapshot;
}

/** A deep copy through JSON, i.e. exactly what a round trip through storage yields. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
