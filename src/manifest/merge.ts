/**
 * Merges a template's spec with the values that override it: mappings merge key by key, everything
 * else (lists included) is replaced by the override. Neither input is modified.
 */
export function mergeSpec<T>(base: unknown, override: T): T {
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = k in out ? mergeSpec(out[k], v) : v;
    return out as T;
  }
  return (override === undefined ? base : override) as T;
}

/** True for `{…}` values (not arrays, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
