/** jsonCopy must give exactly what a JSON round trip gives (it replaces one for every Azure spec). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonCopy } from "../../../src/providers/json-copy.js";

const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
// JSON values with undefined, NaN, Infinity, functions and Dates mixed in, where a spec builder might leave them
const odd = fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, () => 1, new Date(0));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), odd, fc.array(tie("v"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 4 }), tie("v"), { maxKeys: 4 })),
})).v;

describe("jsonCopy", () => {
  it("equals a JSON round trip of any object of JSON values, undefined, non-finite numbers, functions and Dates", () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 5 }), (v) => {
      expect(jsonCopy(v)).toStrictEqual(roundTrip(v));
    }), { numRuns: 3000 });
  });

  it("is a copy: changing it leaves the original alone", () => {
    const original = { a: { b: [1, { c: 2 }] } };
    const copy = jsonCopy(original);
    (copy.a.b[1] as { c: number }).c = 3;
    expect(original.a.b[1]).toEqual({ c: 2 });
  });
});
