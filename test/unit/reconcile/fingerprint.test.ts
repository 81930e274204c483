import { describe, expect, it } from "vitest";
import { fingerprintOf, stableJson } from "../../../src/reconcile/fingerprint.js";
import { SeededRandom } from "../../../src/sim/knobs.js";

/** A random JSON-ish value (with undefined members, as specs have) from `r`. */
function randomValue(r: SeededRandom, depth = 0): unknown {
  const pick = r.int(depth > 3 ? 5 : 8);
  switch (pick) {
    case 0: return null;
    case 1: return r.int(1000) - 500;
    case 2: return `s${r.int(50)}"\\\u00e9\n`;
    case 3: return r.int(2) === 0;
    case 4: return undefined;
    case 5: return r.int(3) === 0 ? 1.5e300 : -0.25;
    case 6: return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(5) }, () => [`k${r.int(20)}`, randomValue(r, depth + 1)]));
  }
}

/** The same value with every object's keys in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
  return v;
}

describe("stableJson", () => {
  it("is JSON of the same value, whatever the order of keys", () => {
    const r = new SeededRandom(7);
    for (let i = 0; i < 500; i++) {
      const v = randomValue(r);
      const text = stableJson(v);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v) ?? "null"));
      expect(stableJson(reversed(v))).toBe(text);
    }
  });

  it("sorts keys, leaves out undefined and functions (null in arrays), and honours toJSON", () => {
    expect(stableJson({ b: 1, a: [undefined, () => 1, 2], c: undefined, d: new Date(0) })).toBe('{"a":[null,null,2],"b":1,"d":"1970-01-01T00:00:00.000Z"}');
    expect(stableJson(undefined)).toBe("null");
  });
});

describe("fingerprintOf", () => {
  it("changes with the id, the spec or the marker, not with key order", () => {
    const base = { kind: "VirtualMachine" as const, externalId: "pve/1", name: "a", spec: { memory: 1024, cores: 2 }, marker: { stack: "s", address: "VirtualMachine/a" } };
    const fp = fingerprintOf(base);
    expect(fingerprintOf({ ...base, spec: { cores: 2, memory: 1024 } })).toBe(fp);
    expect(fingerprintOf({ ...base, externalId: "pve/2" })).not.toBe(fp);
    expect(fingerprintOf({ ...base, spec: { memory: 2048, cores: 2 } })).not.toBe(fp);
    expect(fingerprintOf({ ...base, marker: { stack: "t", address: "VirtualMachine/a" } })).not.toBe(fp);
    expect(fingerprintOf(undefined)).toBe("absent");
  });
});
