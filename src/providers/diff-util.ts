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

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
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
