/**
 * A small argument validator that speaks both middleware dialects: the pydantic models of 25.04+
 * (strict types, "Field required", "Extra inputs are not permitted") and the `@accepts` schema of
 * ≤24.10 ("attribute required", "Field was not expected", lenient int coercion). Errors are pushed
 * to a `Verrors` with dotted attribute paths; the caller decides the path prefix.
 */
import { Verrors } from "./errors.js";

/** The type of one field. */
export type Spec =
  | { t: "int"; min?: number; max?: number; null?: boolean; choices?: readonly number[] }
  | { t: "str"; enum?: readonly string[]; null?: boolean; pattern?: string; maxLength?: number }
  | { t: "bool"; null?: boolean }
  | { t: "list"; items?: Spec; null?: boolean }
  | { t: "dict"; fields?: Fields; null?: boolean }
  | { t: "any" };

/** A field of a dict: its type, whether it must be given, and its default. */
export interface FieldDef {
  spec: Spec;
  required?: boolean;
  default?: unknown;
}

/** Fields in declaration order (errors are reported in this order, extras after). */
export type Fields = Record<string, FieldDef>;

/** Shorthands for field definitions. */
export const f = {
  int: (o: Omit<Extract<Spec, { t: "int" }>, "t"> & { required?: boolean; default?: unknown } = {}): FieldDef => split({ t: "int", ...o }),
  str: (o: Omit<Extract<Spec, { t: "str" }>, "t"> & { required?: boolean; default?: unknown } = {}): FieldDef => split({ t: "str", ...o }),
  bool: (o: Omit<Extract<Spec, { t: "bool" }>, "t"> & { required?: boolean; default?: unknown } = {}): FieldDef => split({ t: "bool", ...o }),
  list: (o: Omit<Extract<Spec, { t: "list" }>, "t"> & { required?: boolean; default?: unknown } = {}): FieldDef => split({ t: "list", ...o }),
  dict: (o: Omit<Extract<Spec, { t: "dict" }>, "t"> & { required?: boolean; default?: unknown } = {}): FieldDef => split({ t: "dict", ...o }),
  any: (o: { required?: boolean; default?: unknown } = {}): FieldDef => split({ t: "any", ...o }),
};

function split(o: Spec & { required?: boolean; default?: unknown }): FieldDef {
  const { required, default: def, ...spec } = o as Spec & { required?: boolean; default?: unknown };
  const out: FieldDef = { spec: spec as Spec };
  if (required) out.required = true;
  if ("default" in o) out.default = def;
  return out;
}

/** Options of one validation run. */
export interface ValidateOptions {
  /** Pydantic (25.04+) messages and strictness; false = ≤24.10 `@accepts` behaviour. */
  pydantic: boolean;
  /** Update semantics: nothing is required and no defaults are filled in. */
  partial?: boolean;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function quoteList(values: readonly (string | number)[]): string {
  const q = values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
  if (q.length <= 1) return q.join("");
  return `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`;
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/**
 * Validates `value` against `fields` as a dict at `path`, pushing errors to `v`. Returns the cleaned
 * object (defaults filled unless partial); its content is unspecified when errors were added.
 */
export function validateDict(value: unknown, fields: Fields, path: string, v: Verrors, o: ValidateOptions): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    v.add(path || null, o.pydantic ? "Input should be a valid dictionary" : "A dict was expected");
    return {};
  }
  const input = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (!o.pydantic) {
    for (const key of Object.keys(input)) if (!(key in fields)) v.add(join(path, key), "Field was not expected");
  }
  for (const [key, def] of Object.entries(fields)) {
    if (key in input) {
      out[key] = validateValue(input[key], def.spec, join(path, key), v, o);
    } else if (!o.partial) {
      if (def.required) v.add(join(path, key), o.pydantic ? "Field required" : "attribute required");
      else if ("default" in def) out[key] = clone(def.default);
    }
  }
  if (o.pydantic) {
    for (const key of Object.keys(input)) if (!(key in fields)) v.add(join(path, key), "Extra inputs are not permitted");
  }
  return out;
}

/** Validates one value against its spec (see `validateDict`); returns the cleaned value. */
export function validateValue(value: unknown, spec: Spec, path: string, v: Verrors, o: ValidateOptions): unknown {
  const p = o.pydantic;
  if (value === null && spec.t !== "any") {
    if (spec.null) return null;
    if (!p) {
      v.add(path, "null not allowed");
      return null;
    }
  }
  switch (spec.t) {
    case "any":
      return value;
    case "bool":
      if (typeof value !== "boolean") v.add(path, p ? "Input should be a valid boolean" : "Not a boolean");
      return value;
    case "int": {
      let n = value;
      if (!p && typeof n === "string" && /^-?\d+$/.test(n)) n = Number(n);
      if (typeof n !== "number" || !Number.isInteger(n)) {
        v.add(path, p ? "Input should be a valid integer" : "Not an integer");
        return value;
      }
      if (spec.choices && !spec.choices.includes(n)) {
        v.add(path, p ? `Input should be ${quoteList(spec.choices)}` : `Invalid choice: ${n}`);
      } else if (spec.min !== undefined && n < spec.min) {
        v.add(path, p ? `Input should be greater than or equal to ${spec.min}` : rangeMsg(spec.min, spec.max));
      } else if (spec.max !== undefined && n > spec.max) {
        v.add(path, p ? `Input should be less than or equal to ${spec.max}` : rangeMsg(spec.min, spec.max));
      }
      return n;
    }
    case "str": {
      if (typeof value !== "string") {
        v.add(path, p ? "Input should be a valid string" : "Not a string");
        return value;
      }
      if (spec.enum && !spec.enum.includes(value)) {
        v.add(path, p ? `Input should be ${quoteList(spec.enum)}` : `Invalid choice: ${value}`);
      } else if (spec.pattern && !new RegExp(spec.pattern).test(value)) {
        v.add(path, p ? `String should match pattern '${spec.pattern}'` : "Does not match the pattern");
      } else if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        v.add(path, p ? `String should have at most ${spec.maxLength} characters` : `The value may not be longer than ${spec.maxLength} characters`);
      }
      return value;
    }
    case "list": {
      if (!Array.isArray(value)) {
        v.add(path, p ? "Input should be a valid list" : "Not a list");
        return value;
      }
      const items = spec.items;
      return items ? value.map((x, i) => validateValue(x, items, `${path}.${i}`, v, o)) : clone(value);
    }
    case "dict":
      if (!spec.fields) {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          v.add(path, p ? "Input should be a valid dictionary" : "A dict was expected");
        }
        return clone(value);
      }
      return validateDict(value, spec.fields, path, v, { ...o, partial: false });
  }
}

function rangeMsg(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `Should be between ${min} and ${max}`;
  if (min !== undefined) return `Should be greater or equal than ${min}`;
  return `Should be lower or equal than ${max}`;
}

/**
 * Validates against an undiscriminated pydantic union: the first member that validates wins; when
 * none does, the errors of every member are reported with the member's class name in the path
 * (e.g. `data.PoolDatasetCreateVolume.volsize`). Returns the member name and the cleaned value.
 */
export function validateUnion(
  value: unknown,
  members: Record<string, Fields>,
  path: string,
  v: Verrors,
): { member: string; value: Record<string, unknown> } | null {
  const all: Verrors = new Verrors();
  for (const [name, fields] of Object.entries(members)) {
    const mv = new Verrors();
    const out = validateDict(value, fields, join(path, name), mv, { pydantic: true });
    if (mv.empty) return { member: name, value: out };
    all.errors.push(...mv.errors);
  }
  v.errors.push(...all.errors);
  return null;
}

/**
 * Checks positional arguments against the method's argument names: too many → the pydantic
 * "Too many arguments" error at "" (25.04+) or a CallError-like validation (≤24.10); `required`
 * names missing → "Field required"/"attribute required" at the argument name.
 */
export function checkArity(params: unknown[], names: readonly string[], required: number, v: Verrors, pydantic: boolean): void {
  if (params.length > names.length) {
    v.add(pydantic ? "" : null, `Too many arguments (expected ${names.length}, found ${params.length})`);
  }
  for (let i = params.length; i < required; i++) v.add(names[i] ?? `arg${i}`, pydantic ? "Field required" : "attribute required");
  v.check();
}

/**
 * Validates a tagged union (pydantic discriminator such as `dtype` or `mechanism`): the tag is
 * checked first at `path.tag` ("Field required" / "Input should be …"), then the member's fields
 * at `path` (the member's fields must include the tag). Returns the tag and cleaned value.
 */
export function validateTagged(
  value: unknown,
  tag: string,
  members: Record<string, Fields>,
  path: string,
  v: Verrors,
  o: ValidateOptions,
): { tag: string; value: Record<string, unknown> } | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    v.add(path, o.pydantic ? "Input should be a valid dictionary" : "A dict was expected");
    return null;
  }
  const t = (value as Record<string, unknown>)[tag];
  const names = Object.keys(members);
  if (t === undefined) {
    if (!o.partial) v.add(join(path, tag), o.pydantic ? "Field required" : "attribute required");
    return null;
  }
  if (typeof t !== "string" || !names.includes(t)) {
    v.add(join(path, tag), o.pydantic ? `Input should be ${quoteList(names)}` : `Invalid choice: ${String(t)}`);
    return null;
  }
  const out = validateDict(value, members[t]!, path, v, o);
  return { tag: t, value: out };
}
