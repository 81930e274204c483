import { createHash } from "node:crypto";
import type { ObservedResource } from "../providers/contract.js";

/** JSON with object keys sorted, so equal values always serialise equally. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * A short hash of what a step relies on: the observed object (id and canonical spec), or `absent`.
 * Equal fingerprints at plan and apply time mean nothing the step depends on changed in between.
 */
export function fingerprintOf(observed: ObservedResource | undefined): string {
  if (!observed) return "absent";
  return createHash("sha256").update(stableJson({ id: observed.externalId, spec: observed.spec, marker: observed.marker ?? null })).digest("hex").slice(0, 16);
}
