/**
 * `filter_list` as the middleware implements it (reference §4.2): query filters
 * (`[field, op, value]`, optional `C` case-insensitive prefix, `["OR", [...]]`, dotted paths) and
 * query options (`get`, `count`, `limit`, `offset`, `order_by`, `select`, `extra`).
 */
import { GenericError, Verrors } from "./errors.js";

/** Query options as a `*.query` method receives them (`extra` is interpreted by each method). */
export interface QueryOptions {
  get?: boolean;
  count?: boolean;
  limit?: number;
  offset?: number;
  order_by?: string[];
  select?: (string | string[])[];
  extra?: Record<string, unknown>;
}

/** Reads a dotted path (`attributes.dtype`) from an object. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const OPS = new Set(["=", "!=", ">", ">=", "<", "<=", "~", "in", "nin", "rin", "rnin", "^", "!^", "$", "!$"]);

function lower(v: unknown): unknown {
  if (typeof v === "string") return v.toLowerCase();
  if (Array.isArray(v)) return v.map(lower);
  return v;
}

function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function matchOne(item: unknown, filter: unknown[]): boolean {
  const [field, rawOp, rawValue] = filter as [string, string, unknown];
  let op = rawOp;
  let value = rawValue;
  let actual = getPath(item, field);
  if (op.length > 1 && op.startsWith("C") && op !== "C~") {
    op = op.slice(1);
    value = lower(value);
    actual = lower(actual);
  }
  const a = actual as never;
  const b = value as never;
  switch (op) {
    case "=": return eq(actual, value);
    case "!=": return !eq(actual, value);
    case ">": return actual !== null && actual !== undefined && a > b;
    case ">=": return actual !== null && actual !== undefined && a >= b;
    case "<": return actual !== null && actual !== undefined && a < b;
    case "<=": return actual !== null && actual !== undefined && a <= b;
    case "~": return typeof actual === "string" && new RegExp(String(value)).test(actual);
    case "in": return Array.isArray(value) && value.some((x) => eq(x, actual));
    case "nin": return !(Array.isArray(value) && value.some((x) => eq(x, actual)));
    case "rin": return Array.isArray(actual) ? actual.some((x) => eq(x, value)) : typeof actual === "string" && actual.includes(String(value));
    case "rnin": return !(Array.isArray(actual) ? actual.some((x) => eq(x, value)) : typeof actual === "string" && actual.includes(String(value)));
    case "^": return typeof actual === "string" && actual.startsWith(String(value));
    case "!^": return !(typeof actual === "string" && actual.startsWith(String(value)));
    case "$": return typeof actual === "string" && actual.endsWith(String(value));
    case "!$": return !(typeof actual === "string" && actual.endsWith(String(value)));
    default: throw new GenericError(`Invalid operation: ${rawOp}`);
  }
}

function checkFilters(filters: unknown): void {
  if (!Array.isArray(filters)) throw new GenericError("Filters must be a list");
  for (const f of filters) {
    if (!Array.isArray(f)) throw new GenericError(`Filter must be a list: ${JSON.stringify(f)}`);
    if (f[0] === "OR") {
      if (f.length !== 2 || !Array.isArray(f[1])) throw new GenericError("Invalid OR filter");
      for (const sub of f[1] as unknown[]) checkFilters(Array.isArray(sub) && Array.isArray(sub[0]) ? sub : [sub]);
      continue;
    }
    if (f.length !== 3 || typeof f[0] !== "string" || typeof f[1] !== "string") throw new GenericError(`Invalid filter ${JSON.stringify(f)}`);
    const op = f[1].length > 1 && f[1].startsWith("C") && f[1] !== "C~" ? f[1].slice(1) : f[1];
    if (!OPS.has(op)) throw new GenericError(`Invalid operation: ${f[1]}`);
  }
}

/** True when `item` satisfies every filter (conjunction; `OR` entries are disjunctions). */
export function matches(item: unknown, filters: unknown[]): boolean {
  for (const f of filters as unknown[][]) {
    if (f[0] === "OR") {
      const alts = f[1] as unknown[];
      const ok = alts.some((alt) => (Array.isArray(alt) && Array.isArray(alt[0]) ? matches(item, alt) : matchOne(item, alt as unknown[])));
      if (!ok) return false;
    } else if (!matchOne(item, f)) return false;
  }
  return true;
}

/**
 * The values a top-level `[field, "=", v]` or `[field, "in", [...]]` filter allows (the filters are
 * a conjunction, so rows with other values cannot match), or undefined when no such filter exists.
 * Lets a query render only the rows that can match, as the middleware's datastore filters do.
 */
export function wantedValues(filters: unknown[], field: string): Set<unknown> | undefined {
  let out: Set<unknown> | undefined;
  for (const f of filters) {
    if (!Array.isArray(f) || f[0] !== field) continue;
    const values = f[1] === "=" ? [f[2]] : f[1] === "in" && Array.isArray(f[2]) ? (f[2] as unknown[]) : undefined;
    if (!values) continue;
    out = out ? new Set(values.filter((v) => out!.has(v))) : new Set(values);
  }
  return out;
}

/** The prefix a top-level `[field, "^", prefix]` filter requires, or undefined. */
export function wantedPrefix(filters: unknown[], field: string): string | undefined {
  for (const f of filters) if (Array.isArray(f) && f[0] === field && f[1] === "^" && typeof f[2] === "string") return f[2];
  return undefined;
}

/**
 * Parses the `(filters, options)` params of a `*.query` call. Malformed filters raise the generic
 * error the middleware raises; malformed options a validation error at `options.*`.
 */
export function parseQueryArgs(params: unknown[], pydantic: boolean): { filters: unknown[]; options: QueryOptions } {
  const filters = params[0] ?? [];
  const options = (params[1] ?? {}) as QueryOptions;
  checkFilters(filters);
  const v = new Verrors();
  if (typeof options !== "object" || Array.isArray(options)) v.add("options", pydantic ? "Input should be a valid dictionary" : "A dict was expected");
  else {
    const known = new Set(["extra", "order_by", "select", "count", "get", "offset", "limit", "force_sql_filters"]);
    for (const k of Object.keys(options)) if (!known.has(k)) v.add(`options.${k}`, pydantic ? "Extra inputs are not permitted" : "Field was not expected");
  }
  v.check();
  return { filters: filters as unknown[], options };
}

/** Applies filters and options to rows (rows are not copied; callers pass freshly rendered rows). */
export function filterList<T>(rows: T[], filters: unknown[], options: QueryOptions = {}): T[] | T | number {
  let out = filters.length ? rows.filter((r) => matches(r, filters)) : rows.slice();
  for (const key of [...(options.order_by ?? [])].reverse()) {
    let k = key.replace(/^nulls_(first|last):/, "");
    const desc = k.startsWith("-");
    if (desc) k = k.slice(1);
    out.sort((x, y) => {
      const a = getPath(x, k) as never;
      const b = getPath(y, k) as never;
      const c = a === b ? 0 : a === null || a === undefined ? -1 : b === null || b === undefined ? 1 : a < b ? -1 : 1;
      return desc ? -c : c;
    });
  }
  if (options.offset) out = out.slice(options.offset);
  if (options.limit) out = out.slice(0, options.limit);
  if (options.count) return out.length;
  if (options.select?.length) {
    const sel = options.select;
    out = out.map((row) => {
      const o: Record<string, unknown> = {};
      for (const s of sel) {
        const path = Array.isArray(s) ? String(s[0]) : s;
        const as = Array.isArray(s) ? String(s[1]) : path.split(".").pop()!;
        const val = getPath(row, path);
        if (val !== undefined) o[as] = val;
      }
      return o as T;
    });
  }
  if (options.get) {
    if (!out.length) throw Object.assign(new GenericError(""), { name: "MatchNotFound" });
    return out[0] as T;
  }
  return out;
}
