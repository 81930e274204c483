/**
 * A deep copy of a value as manifests hold them — plain objects, arrays and primitives — for the
 * resolvers, which fill defaults into their copy of each spec. `structuredClone` serialises and
 * deserialises every value; this walks it (several times faster on a VM spec, which matters once
 * per resource per load). Anything else (a Date, a Map…) is handed to `structuredClone`. Unlike
 * providers/json-copy.ts (JSON's rules, for specs that must be plain), it keeps every value as is,
 * undefined included: a resolver must see the manifest's spec exactly.
 */
export function deepCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = deepCopy(value[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = deepCopy((value as Record<string, unknown>)[key]);
    // JSON.parse makes "__proto__" an own key; assigning it would set the copy's prototype instead
    if (key === "__proto__") Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out as T;
}
