/**
 * Helpers shared by the method modules: positional-argument checks in both dialects, query and
 * get_instance implementations, and ZFS property rendering.
 */
import { instanceNotFound, Verrors } from "../errors.js";
import { filterList, parseQueryArgs } from "../filters.js";
import type { MethodCtx, MethodDef } from "../registry.js";
import { checkArity, validateDict, validateValue, type Fields } from "../schema.js";

/** Checks the number of positional params (see `checkArity`) using the persona's dialect. */
export function arity(ctx: MethodCtx, params: unknown[], names: readonly string[], required: number): void {
  checkArity(params, names, required, new Verrors(), ctx.sim.p.pydantic);
}

/** Validates an integer id argument (strict on 25.04+, "1" coerced on ≤24.10); errors at `name`. */
export function intArg(ctx: MethodCtx, value: unknown, name = "id"): number {
  const v = new Verrors();
  const out = validateValue(value, { t: "int" }, name, v, { pydantic: ctx.sim.p.pydantic });
  v.check();
  return out as number;
}

/** Validates a string id argument; errors at `name`. */
export function strArg(ctx: MethodCtx, value: unknown, name = "id"): string {
  const v = new Verrors();
  validateValue(value, { t: "str" }, name, v, { pydantic: ctx.sim.p.pydantic });
  v.check();
  return value as string;
}

/**
 * Validates a dict argument (options or data) against `fields` at path `name`, filling defaults;
 * a missing argument counts as `{}`. Throws ValidationErrors.
 */
export function dictArg(ctx: MethodCtx, value: unknown, name: string, fields: Fields, partial = false): Record<string, unknown> {
  const v = new Verrors();
  const out = validateDict(value === undefined ? {} : value, fields, name, v, { pydantic: ctx.sim.p.pydantic, partial });
  v.check();
  return out;
}

/** A `*.query` method over freshly rendered rows. */
export function queryMethod(rows: (ctx: MethodCtx, extra: Record<string, unknown>, filters: unknown[]) => Record<string, unknown>[]): MethodDef {
  return {
    call: (ctx, params) => {
      arity(ctx, params, ["filters", "options"], 0);
      const { filters, options } = parseQueryArgs(params, ctx.sim.p.pydantic);
      return filterList(rows(ctx, options.extra ?? {}, filters), filters, options);
    },
  };
}

/** A `*.get_instance` method: InstanceNotFound ("<Verbose> <id> does not exist") when missing. */
export function getInstanceMethod(
  verbose: string,
  find: (ctx: MethodCtx, id: unknown) => Record<string, unknown> | undefined,
  idType: "int" | "str" = "int",
): MethodDef {
  return {
    call: (ctx, params) => {
      arity(ctx, params, ["id", "options"], 1);
      const id = idType === "int" ? intArg(ctx, params[0]) : strArg(ctx, params[0]);
      const row = find(ctx, id);
      if (!row) throw instanceNotFound(verbose, id);
      return row;
    },
  };
}

/** Human size as ZFS prints it ("10G", "512K", "1.50G"). */
export function humanSize(bytes: number): string {
  const units = ["B", "K", "M", "G", "T", "P"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${bytes}B`;
  return Number.isInteger(v) ? `${v}${units[i]}` : `${v.toFixed(2).replace(/0+$/, "").replace(/\.$/, "")}${units[i]}`;
}

/** A ZFS property in the middleware's `{parsed, rawvalue, value, source, source_info}` form. */
export function zprop(parsed: unknown, rawvalue: string, value: string | null, source: string): Record<string, unknown> {
  return { parsed, rawvalue, value, source, source_info: null };
}

/** Parses "16K"/"512B"/"512" → bytes. */
export function parseBlockSize(s: string): number {
  const m = /^(\d+)([BKM]?)$/.exec(s);
  if (!m) return 16384;
  const n = Number(m[1]);
  return m[2] === "K" ? n * 1024 : m[2] === "M" ? n * 1048576 : n;
}
