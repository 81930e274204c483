import { paramError } from "./errors.js";

/**
 * A minimal JSON-schema subset matching how PVE declares API parameters, and the validator that
 * reproduces pve-common JSONSchema.pm's per-field error texts. Values arrive as form strings or
 * JSON values; `validate` returns them coerced (integers/booleans as numbers, the rest as strings).
 */
export interface ParamDef {
  type: "integer" | "number" | "boolean" | "string" | "array";
  optional?: boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  enum?: readonly string[];
  pattern?: RegExp;
  /** Extra check; returns an error text (`invalid format - …`) or null. */
  check?: (value: string) => string | null;
}

/** Parameter declarations of one endpoint, keyed by name; `families` map a regex (e.g. `scsi\d+`) to a def. */
export interface ParamSchema {
  props: Record<string, ParamDef>;
  families?: Array<{ re: RegExp; def: ParamDef }>;
  /** PVE endpoints default to `additionalProperties: 0`; set true to allow unknown keys. */
  additional?: boolean;
}

/** The coerced parameters. Booleans are 0/1 numbers as PVE stores them. */
export type Params = Record<string, string | number | string[]>;

/** Looks a key up in a schema, including regex families. */
export function lookupDef(schema: ParamSchema, key: string): ParamDef | undefined {
  const direct = schema.props[key];
  if (direct) return direct;
  return schema.families?.find((f) => f.re.test(key))?.def;
}

function checkOne(def: ParamDef, value: unknown): { value?: string | number | string[]; error?: string } {
  if (def.type === "array") {
    const list = Array.isArray(value) ? value.map(String) : [String(value)];
    return { value: list };
  }
  if (Array.isArray(value)) return { error: `type check ('${def.type}') failed - got ARRAY` };
  if (typeof value === "object" && value !== null) return { error: `type check ('${def.type}') failed - got HASH` };
  const text = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
  if (def.type === "boolean") {
    if (typeof value === "boolean") return { value: value ? 1 : 0 };
    if (text === "1" || text === "0") return { value: Number(text) };
    return { error: `type check ('boolean') failed - got '${text}'` };
  }
  if (def.type === "integer" || def.type === "number") {
    const ok = def.type === "integer" ? /^-?\d+$/.test(text) : /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text);
    if (!ok) return { error: `type check ('${def.type}') failed - got '${text}'` };
    const n = Number(text);
    if (def.minimum !== undefined && n < def.minimum) return { error: `value must have a minimum value of ${def.minimum}` };
    if (def.maximum !== undefined && n > def.maximum) return { error: `value must have a maximum value of ${def.maximum}` };
    return { value: def.type === "integer" ? n : text };
  }
  if (def.maxLength !== undefined && text.length > def.maxLength) return { error: `value may only be ${def.maxLength} characters long` };
  if (def.minLength !== undefined && text.length < def.minLength) return { error: `value must be at least ${def.minLength} characters long` };
  if (def.enum && !def.enum.includes(text)) return { error: `value '${text}' does not have a value in the enumeration '${def.enum.join(", ")}'` };
  if (def.pattern && !def.pattern.test(text)) return { error: "value does not match the regex pattern" };
  if (def.check) {
    const err = def.check(text);
    if (err) return { error: err };
  }
  return { value: text };
}

/**
 * Validates `input` against `schema`, collecting every field error as PVE does, and throws a 400
 * `Parameter verification failed.` with the `errors` map when any remains.
 */
export function validate(input: Record<string, unknown>, schema: ParamSchema): Params {
  const errors: Record<string, string> = {};
  const out: Params = {};
  for (const [key, value] of Object.entries(input)) {
    const def = lookupDef(schema, key);
    if (!def) {
      if (!schema.additional) errors[key] = "property is not defined in schema and the schema does not allow additional properties";
      continue;
    }
    if (value === null || value === undefined) continue;
    const res = checkOne(def, value);
    if (res.error !== undefined) errors[key] = res.error;
    else if (res.value !== undefined) out[key] = res.value;
  }
  for (const [key, def] of Object.entries(schema.props)) {
    if (!def.optional && out[key] === undefined && errors[key] === undefined) errors[key] = "property is missing and it is not optional";
  }
  if (Object.keys(errors).length > 0) paramError(errors);
  return out;
}

/** Shorthands for common declarations. */
export const P = {
  node: { type: "string", pattern: /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/ } as ParamDef,
  vmid: { type: "integer", minimum: 100, maximum: 999999999 } as ParamDef,
  optBool: { type: "boolean", optional: true } as ParamDef,
  optInt: { type: "integer", optional: true } as ParamDef,
  optStr: { type: "string", optional: true } as ParamDef,
  configId: { type: "string", pattern: /^[a-z][a-z0-9_-]+$/i, maxLength: 40 } as ParamDef,
};

/** Returns `params[key]` as a string (or undefined). */
export function str(params: Params, key: string): string | undefined {
  const v = params[key];
  return v === undefined ? undefined : Array.isArray(v) ? v.join(",") : String(v);
}

/** Returns `params[key]` as a number (or undefined). */
export function num(params: Params, key: string): number | undefined {
  const v = params[key];
  return v === undefined ? undefined : Number(v);
}
