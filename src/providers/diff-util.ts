import type { CanonicalSpec, ChangeEffect, FieldChange } from "./contract.js";

/** How a provider classifies a changed path: its effect and an optional explanation. */
export type ChangeClassifier = (path: string, before: unknown, after: unknown) => { effect: ChangeEffect; note?: string };

/**
 * Compares a desired canonical spec with an observed one and lists the differing fields. Only what
 * the desired spec says is compared: a field it leaves out (e.g. a MAC the server generated) is not
 * managed and never shows as a change. Mappings recurse; lists of mappings of equal length compare
 * item by item (`disks[1].size`); other lists and scalars compare as whole values. Keys that start
 * with `_` hold write-only inputs a provider needs to create the object but can never read back
 * (e.g. Azure custom data, whose hash is compared instead): they are never compared.
 */
export function diffSpecs(desired: CanonicalSpec, observed: CanonicalSpec, classify: ChangeClassifier): FieldChange[] {
  // most resources of a plan are up to date: check that without sorting keys or building paths
  if (covers(desired, observed)) return [];
  const out: FieldChange[] = [];
  const walk = (d: unknown, o: unknown, path: string) => {
    if (d === undefined) return;
    if (isObject(d) && isObject(o)) {
      for (const key of Object.keys(d).sort()) if (!key.startsWith("_")) walk(d[key], o[key], path ? `${path}.${key}` : key);
      return;
    }
    if (Array.isArray(d) && Array.isArray(o) && d.length === o.length && d.every(isObject) && o.every(isObject)) {
      d.forEach((item, i) => walk(item, o[i], `${path}[${i}]`));
      return;
    }
    if (!deepEqual(d, o)) out.push({ path, before: o, after: d, ...classify(path, o, d) });
  };
  walk(desired, observed, "");
  return out;
}

/** True when diffSpecs(d, o) finds no difference (the same walk, in any key order, with no output). */
function covers(d: unknown, o: unknown): boolean {
  if (d === undefined) return true;
  if (isObject(d) && isObject(o)) {
    for (const key in d) if (Object.hasOwn(d, key) && !key.startsWith("_") && !covers(d[key], o[key])) return false;
    return true;
  }
  if (Array.isArray(d) && Array.isArray(o) && d.length === o.length && d.every(isObject) && o.every(isObject)) {
    for (let i = 0; i < d.length; i++) if (!covers(d[i], o[i])) return false;
    return true;
  }
  return deepEqual(d, o);
}

/** Structural equality of JSON values (a key whose value is undefined counts as absent). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a) && isObject(b)) {
    let defined = 0;
    for (const k in a) {
      if (!Object.hasOwn(a, k) || a[k] === undefined) continue;
      if (!deepEqual(a[k], b[k])) return false;
      defined++;
    }
    for (const k in b) if (Object.hasOwn(b, k) && b[k] !== undefined) defined--;
    return defined === 0;
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The path without list indices, for matching rules: `disks[1].size` → `disks.size`. */
export function rulePath(path: string): string {
  return path.replace(/\[\d+\]/g, "");
}

/** True when `path` is `prefix` or lies below it (`disks[0].size` is below `disks`). */
export function isUnder(path: string, prefix: string): boolean {
  const p = rulePath(path);
  const q = rulePath(prefix);
  return p === q || p.startsWith(`${q}.`) || path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}
