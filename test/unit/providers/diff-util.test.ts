/**
 * diffSpecs and deepEqual against the straightforward definitions they replaced (kept here as the
 * oracle): the planner calls them twice per resource, so they take a no-allocation path when
 * nothing differs — which must never hide a difference or change the order of those it reports.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CanonicalSpec, FieldChange } from "../../../src/providers/contract.js";
import { deepEqual, diffSpecs } from "../../../src/providers/diff-util.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
function oracleEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => oracleEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => oracleEqual(a[k], b[k]));
  }
  return false;
}
function oracleDiff(desired: unknown, observed: unknown): FieldChange[] {
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
    if (!oracleEqual(d, o)) out.push({ path, before: o, after: d, effect: "in-place" });
  };
  walk(desired, observed, "");
  return out;
}

// specs from a small alphabet of keys and values, so that equal and nearly equal pairs are common
const key = fc.constantFrom("a", "b", "_w", "disks", "size", "name");
const leaf = fc.oneof(fc.constantFrom(1, 2, "x", "y", true, null), fc.constant(undefined));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(key, tie("v"), { maxKeys: 4 })),
})).v;
const spec = fc.dictionary(key, value, { maxKeys: 5 });
/** A pair that is often equal: the second is the first, possibly with one value changed. */
const pair = fc.tuple(spec, spec, fc.boolean()).map(([a, b, same]) => [a, same ? structuredClone(a) : { ...a, ...b }] as const);

describe("diffSpecs and deepEqual", () => {
  it("report exactly what the plain definitions report, in the same order", () => {
    fc.assert(fc.property(pair, ([d, o]) => {
      expect(diffSpecs(d as CanonicalSpec, o as CanonicalSpec, () => ({ effect: "in-place" }))).toEqual(oracleDiff(d, o));
      expect(deepEqual(d, o)).toBe(oracleEqual(d, o));
      expect(deepEqual(o, d)).toBe(oracleEqual(o, d));
    }), { numRuns: 3000 });
  });

  it("a key whose value is undefined counts as absent; `_` keys are never compared", () => {
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(diffSpecs({ _data: "x", size: 1 } as CanonicalSpec, { size: 1 } as CanonicalSpec, () => ({ effect: "in-place" }))).toEqual([]);
    expect(diffSpecs({ disks: [{ size: 2 }] } as CanonicalSpec, { disks: [{ size: 1 }] } as CanonicalSpec, () => ({ effect: "replace" })))
      .toEqual([{ path: "disks[0].size", before: 1, after: 2, effect: "replace" }]);
  });
});
