/** deepCopy: the resolvers' copy of a spec must equal structuredClone's and share nothing with the original. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deepCopy } from "../../../src/manifest/clone.js";

describe("deepCopy", () => {
  it("equals structuredClone on JSON values and shares no object or array with the original", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const copy = deepCopy(v);
      expect(copy).toEqual(structuredClone(v));
      const originals = new Set<unknown>();
      const collect = (x: unknown) => { if (x && typeof x === "object") { originals.add(x); Object.values(x).forEach(collect); } };
      collect(v);
      const shared = (x: unknown): boolean => !!x && typeof x === "object" && (originals.has(x) || Object.values(x).some(shared));
      expect(shared(copy)).toBe(false);
    }), { numRuns: 2000 });
  });

  it("keeps a \"__proto__\" key as a key (JSON.parse makes it one) rather than setting the copy's prototype", () => {
    const copy = deepCopy(JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("keeps an object without prototype and hands other objects to structuredClone", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: [1, { b: 2 }] });
    expect(deepCopy(bare)).toEqual({ a: [1, { b: 2 }] });
    const when = new Date(0);
    const copied = deepCopy({ when });
    expect(copied.when).toBeInstanceOf(Date);
    expect(copied.when).not.toBe(when);
  });
});
