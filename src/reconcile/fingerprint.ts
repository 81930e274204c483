import { createHash } from "node:crypto";
import type { ObservedResource } from "../providers/contract.js";

/**
 * JSON with object keys sorted (by UTF-16 code units), so equal values always serialise equally.
 * Written out rather than through a `JSON.stringify` replacer that rebuilds every object: a plan
 * fingerprints every object it observed (10,000 at fleet scale). Like JSON.stringify, it honours
 * `toJSON` and leaves out undefined and function values (null in arrays).
 */
export function stableJson(value: unknown): string {
  return write(value) ?? "null";
}

/** Keys as JSON strings, by key: a fleet's specs repeat the same few dozen keys thousands of times. */
const quotedKeys = new Map<string, string>();

function quoted(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, q);
  }
  return q;
}

function write(value: unknown): string | undefined {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value === "function" ? undefined : JSON.stringify(value);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return write(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? "null").join(",")}]`;
  const obj = value as Record<string, unknown>;
  let out = "";
  for (const key of Object.keys(obj).sort()) {
    const item = write(obj[key]);
    if (item !== undefined) out += `${out ? "," : ""}${quoted(key)}:${item}`;
  }
  return `{${out}}`;
}

/**
 * A short hash of what a step relies on: the observed object (id and canonical spec), or `absent`.
 * Equal fingerprints at plan and apply time mean nothing the step depends on changed in between.
 */
export function fingerprintOf(observed: ObservedResource | undefined): string {
  if (!observed) return "absent";
  return createHash("sha256").update(stableJson({ id: observed.externalId, spec: observed.spec, marker: observed.marker ?? null })).digest("hex").slice(0, 16);
}
