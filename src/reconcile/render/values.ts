import { mibToSize } from "../../manifest/units.js";
import { isUnder } from "../../providers/diff-util.js";

/** What renderers show instead of a secret. */
export const SENSITIVE = "(sensitive)";

/** True when `path` is at or under one of the sensitive paths. */
export function isSensitive(path: string, sensitive: string[]): boolean {
  return sensitive.some((p) => isUnder(path, p));
}

/**
 * Canonical specs keep sizes as MiB numbers under these keys (every provider does); people read
 * them with units. Azure's own GiB fields keep Azure's unit.
 */
const MIB_KEYS = new Set(["memory", "size", "quota", "swap"]);
const GIB_KEYS = new Set(["sizeGB", "quotaGiB", "diskSizeGB"]);

/** `value` with every size under a size key written with its unit (`8192` under `memory` → `8GiB`), recursively. */
function withUnits(value: unknown, key: string): unknown {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
    if (MIB_KEYS.has(key)) return mibToSize(value);
    if (GIB_KEYS.has(key)) return `${value}GiB`;
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => withUnits(v, key));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withUnits(v, k)]));
  return value;
}

/** A value as shown in plans and drift: JSON for scalars and small structures, sizes with units, `(sensitive)` for secrets. */
export function showValue(value: unknown, path: string, sensitive: string[]): string {
  if (isSensitive(path, sensitive)) return SENSITIVE;
  if (value === undefined) return "(none)";
  const shown = withUnits(value, path.replace(/\[\d+\]/g, "").split(".").pop() ?? "");
  return typeof shown === "string" && shown !== value ? shown : JSON.stringify(shown);
}

/** True for a value worth a unified diff (multi-line text such as cloud-init). */
export function isMultiline(value: unknown): value is string {
  return typeof value === "string" && value.includes("\n");
}

/** Masks sensitive paths in a canonical spec (for JSON output and saved plans). */
export function maskSpec(spec: unknown, sensitive: string[], prefix = ""): unknown {
  if (Array.isArray(spec)) return spec.map((v, i) => maskSpec(v, sensitive, `${prefix}[${i}]`));
  if (spec && typeof spec === "object") {
    return Object.fromEntries(
      Object.entries(spec as Record<string, unknown>).map(([k, v]) => {
        const path = prefix ? `${prefix}.${k}` : k;
        return [k, isSensitive(path, sensitive) && v !== undefined && !isReference(v) ? SENSITIVE : maskSpec(v, sensitive, path)];
      }),
    );
  }
  return spec;
}

/**
 * Secret references ({env} / {file}, or the `env:NAME` / `file:PATH` strings providers keep in
 * canonical specs) are not secrets and stay visible in saved plans, so that applying a saved plan
 * can still read the secret they name.
 */
function isReference(v: unknown): boolean {
  if (typeof v === "string") return /^(env|file):./.test(v);
  return !!v && typeof v === "object" && ("env" in (v as object) || "file" in (v as object)) && Object.keys(v as object).length === 1;
}
