/**
 * PVE property strings (`file,key=value,…`) — parsing and the canonical printing PVE applies
 * (pve-common JSONSchema.pm print_property_string): default key first without `key=`, then the rest
 * alphabetically; plus `format_size`/`parse_size` for disk sizes.
 */

/** Parsed property string: keys in input order. `null` default key means every part needs `key=`. */
export type PropertyMap = Record<string, string>;

/**
 * Splits `a,b=c` into a map. A bare first part (no `=`) is stored under `defaultKey`; a bare part when
 * there is no default key (or it is already set) throws an `Error` whose message names the part.
 */
export function parsePropertyString(text: string, defaultKey: string | null): PropertyMap {
  const out: PropertyMap = {};
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq < 0) {
      if (defaultKey === null || out[defaultKey] !== undefined) throw new Error(`value without key, but schema does not define a default key`);
      out[defaultKey] = part;
      continue;
    }
    const key = part.slice(0, eq).trim();
    if (out[key] !== undefined) throw new Error(`duplicate key in comma-separated list property: ${key}`);
    out[key] = part.slice(eq + 1);
  }
  return out;
}

/** Prints `map` canonically: `first` (a pre-rendered leading part, e.g. `virtio=MAC`) then keys sorted. */
export function printPropertyString(map: PropertyMap, first: string | null, skip: string[] = []): string {
  const parts: string[] = first === null ? [] : [first];
  for (const key of Object.keys(map).sort()) {
    if (skip.includes(key)) continue;
    const value = map[key];
    if (value === undefined) continue;
    parts.push(`${key}=${value}`);
  }
  return parts.join(",");
}

const UNITS: Array<[string, number]> = [
  ["T", 1024 ** 4],
  ["G", 1024 ** 3],
  ["M", 1024 ** 2],
  ["K", 1024],
];

/** PVE format_size: the largest unit that divides `bytes` exactly (`1T`, `32G`, `4M`), else plain bytes. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of UNITS) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** PVE parse_size: `\d+(\.\d+)?[KMGT]?` → bytes (rounded down); `null` when the text does not match. */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(text.trim());
  if (!m) return null;
  const unit = m[2];
  const factor = unit ? (UNITS.find(([u]) => u === unit)?.[1] ?? 1) : 1;
  return Math.floor(Number(m[1]) * factor);
}

/** PVE's property-string booleans accept 1/0, yes/no, on/off, true/false and print as `1`/`0`. */
export function normaliseBool(value: string): string | null {
  if (/^(1|yes|on|true)$/i.test(value)) return "1";
  if (/^(0|no|off|false)$/i.test(value)) return "0";
  return null;
}
