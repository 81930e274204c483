/**
 * `replicas: N` expansion shared by every kind that has it: replica names (`NAME-1 … NAME-N`) and
 * values derived from pinned ones. A value a manifest pins (a VMID, a MAC, a display port) can never
 * be copied to N objects, so replica i gets the pinned value plus i - 1 — as Proxmox VMIDs are
 * numbered and as the TrueNAS VM manager counts display ports up from a start port. A value that
 * cannot be derived (it would run past its range) is reported at the field, once.
 */
import { deepCopy } from "./clone.js";

/** How one pinned field derives its per-replica value. */
export interface PinnedField {
  /** Path into the spec; `"*"` stands for every item of a list. */
  path: string[];
  /** The value `offset` steps after `value`, or why there is none (completes "replica i of N would get …"). */
  offset(value: unknown, offset: number): { value: unknown } | { problem: string };
  /** How to fix a value that cannot be derived. */
  hint: string;
}

/** A problem deriving a replica's value, at `keys` inside the spec. */
export interface ReplicaProblem {
  keys: Array<string | number>;
  message: string;
  hint: string;
}

/** The name of replica `i` (1-based) of `base`: `base-i`, or `base` itself when the manifest has no replicas. */
export function replicaName(base: string, i: number, replicated: boolean): string {
  return replicated ? `${base}-${i}` : base;
}

/** An integer field counted up by one per replica, up to `max`. */
export function countedInteger(path: string[], what: string, max: number, hint: string): PinnedField {
  return { path, hint, offset: (v, n) => (typeof v === "number" && v + n <= max ? { value: v + n } : { problem: `${what} ${Number(v) + n}, past ${max}` }) };
}

/** A MAC address field counted up by one per replica (see {@link offsetMac}). */
export function countedMac(path: string[]): PinnedField {
  const derive = (v: unknown, n: number) => {
    if (n === 0) return { value: v };
    const mac = typeof v === "string" ? offsetMac(v, n) : undefined;
    if (mac && typeof v === "string" && v !== v.toLowerCase()) return { value: mac.toUpperCase() };
    return mac ? { value: mac } : { problem: `a MAC past ${String(v).toLowerCase()} (the address space or its unicast/local bits run out)` };
  };
  return { path, hint: "Pin a MAC whose last bytes leave room for every replica, or leave mac out so each VM gets its own.", offset: derive };
}

/**
 * `mac` plus `n` as a 48-bit number, lower case. Undefined when that overflows or changes the first
 * octet's multicast or locally-administered bit (the address would become another kind of address).
 */
export function offsetMac(mac: string, n: number): string | undefined {
  const value = BigInt(`0x${mac.replace(/[:-]/g, "")}`) + BigInt(n);
  if (value > 0xffff_ffff_ffffn) return undefined;
  const hex = value.toString(16).padStart(12, "0");
  const first = (s: string) => parseInt(s.slice(0, 2), 16) & 0b11;
  if (first(hex) !== first(mac.replace(/[:-]/g, ""))) return undefined;
  return hex.match(/../g)!.join(":");
}

/**
 * Replica `index` (1-based) of `count` of `spec`: a deep copy whose pinned fields carry their
 * derived values — or, when there is one replica only, `spec` itself (the caller's own copy; its
 * values stay as they are), which spares a deep copy per resource. Problems are returned (one per
 * field and list item) rather than thrown; the caller reports them once at the manifest's field.
 */
export function deriveReplica<S extends object>(spec: S, index: number, count: number, fields: PinnedField[]): { spec: S; problems: ReplicaProblem[] } {
  const copy = count === 1 ? spec : deepCopy(spec);
  const problems: ReplicaProblem[] = [];
  for (const f of fields) {
    visit(copy as Record<string, unknown>, f.path, [], (holder, key, keys) => {
      const before = holder[key];
      if (before === undefined) return;
      const after = f.offset(before, index - 1);
      if ("problem" in after) problems.push({ keys, message: `replica ${index} of ${count} would get ${after.problem}`, hint: f.hint });
      else holder[key] = after.value;
    });
  }
  return { spec: copy, problems };
}

function visit(node: unknown, path: string[], keys: Array<string | number>, at: (holder: Record<string | number, unknown>, key: string | number, keys: Array<string | number>) => void): void {
  if (node === null || typeof node !== "object") return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === "*") {
    if (Array.isArray(node)) node.forEach((item, i) => (rest.length ? visit(item, rest, [...keys, i], at) : at(node as unknown as Record<number, unknown>, i, [...keys, i])));
    return;
  }
  const holder = node as Record<string, unknown>;
  if (rest.length) visit(holder[head], rest, [...keys, head], at);
  else at(holder, head, [...keys, head]);
}
