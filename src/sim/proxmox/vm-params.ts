import { checkValue } from "./canonical.js";
import { paramError } from "./errors.js";
import type { Params } from "./schema.js";
import { vmPropDef } from "./vm-schema.js";
import type { ConfValue } from "./world.js";

/**
 * Splitting validated create/update parameters into config values and control parameters, with the
 * format checks that PVE reports as 400 field errors.
 */

/** Config values among `params` (keys that are config properties), format-checked. */
export function configValues(params: Params, control: string[]): Record<string, ConfValue> {
  const out: Record<string, ConfValue> = {};
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (control.includes(k) || !vmPropDef(k) || Array.isArray(v)) continue;
    const err = checkValue(k, v);
    if (err) errors[k] = err;
    else out[k] = v;
  }
  if (Object.keys(errors).length > 0) paramError(errors);
  return out;
}

/** Splits a PVE list parameter (`a,b c;d`). */
export function splitList(value: string | number | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(",") : String(value);
  return text.split(/[,;\s]+/).filter(Boolean);
}
