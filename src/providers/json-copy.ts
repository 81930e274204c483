/**
 * `value` as a JSON round trip (`JSON.parse(JSON.stringify(value))`) gives it — a deep copy in which
 * object keys holding undefined (or a function) are left out, such array items become null, and
 * non-finite numbers become null — built directly, without writing and parsing text: providers
 * make every observed and desired spec plain this way, once per resource per plan. (src/state keeps
 * its own round-trip `cloneJson`: its files compile on their own, for the crash tests' child
 * processes.) Objects that are
 * not plain (a Date, anything with toJSON) take the round trip itself; -0 becomes 0. (The
 * manifest resolvers' copy, manifest/clone.ts, keeps values exactly instead.)
 */
export function jsonCopy<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v + 0 : null; // -0 becomes 0, as in JSON
    case "object":
      break;
    case "bigint":
      return JSON.parse(JSON.stringify(v)) as unknown; // throws, as the round trip does
    default:
      return undefined;
  }
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]) ?? null;
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === "function") return JSON.parse(JSON.stringify(v)) as unknown;
  const out: Record<string, unknown> = {};
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    const item = copy((v as Record<string, unknown>)[key]);
    if (item === undefined) continue;
    if (key === "__proto__") Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}
