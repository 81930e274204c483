import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { AJV_OPTIONS, EXTRA_KEYWORDS, schemaHash } from "./ajv-setup.js";
import { didYouMean, fieldPath, type DiagnosticBag } from "./diagnostics.js";
import { API_VERSION, isKindName, kindNames, kindSchemas, SECRET_KEYWORD, type KindName } from "./schema/index.js";
import type { YamlDocument } from "./yaml-source.js";

/**
 * A document that passed schema validation: its kind is known and its value matches the schema. When
 * `salvaged`, the document had errors (already reported) and `value` is what remains valid with the
 * invalid values left out: it is resolved only so that its references and provider rules are checked
 * in the same run; the load has errors, so it is never planned.
 */
export interface ValidDocument {
  kind: KindName;
  name: string;
  value: Record<string, unknown>;
  source: YamlDocument;
  salvaged?: boolean;
}

/**
 * Each kind's validator: the one compiled at build time (dist/manifest/validators/<Kind>.cjs, by
 * scripts/build-validators.mjs) when it was compiled from this very schema, else compiled now with
 * the same options (a build that skipped the step). The path is the package's, so that this module
 * finds them from dist/manifest/, from the bundle's dist/bundle/ and from src/ alike. Both are loaded with
 * `require` and only for the kinds a run meets, so a plan of VMs never loads the others.
 */
const require = createRequire(import.meta.url);
const validators = new Map<KindName, ValidateFunction>();
let compiler: ((kind: KindName) => ValidateFunction) | undefined;

function prebuiltValidator(kind: KindName): ValidateFunction | undefined {
  try {
    const mod = require(fileURLToPath(new URL(`../../dist/manifest/validators/${kind}.cjs`, import.meta.url))) as { validate?: ValidateFunction; schemaHash?: string };
    return mod.schemaHash === schemaHash(kind) ? mod.validate : undefined;
  } catch {
    return undefined;
  }
}

function compileNow(kind: KindName): ValidateFunction {
  if (!compiler) {
    const { Ajv2020 } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
    const ajv = new Ajv2020(AJV_OPTIONS);
    for (const keyword of EXTRA_KEYWORDS) ajv.addKeyword({ keyword });
    compiler = (k) => ajv.compile(kindSchemas[k]);
  }
  return compiler(kind);
}

/** True when `kind` is validated by its build-time validator (for tests). */
export function usesPrebuiltValidator(kind: KindName): boolean {
  return prebuiltValidator(kind) !== undefined;
}

function validatorFor(kind: KindName): ValidateFunction {
  let v = validators.get(kind);
  if (!v) validators.set(kind, (v = prebuiltValidator(kind) ?? compileNow(kind)));
  return v;
}

/**
 * Checks one parsed document: envelope (apiVersion, kind) first, then the kind's schema. Problems
 * become diagnostics at the offending field; returns the valid document, a salvaged one (see
 * `salvage`), or undefined when nothing can be checked further.
 */
export function validateDocument(doc: YamlDocument, bag: DiagnosticBag): ValidDocument | undefined {
  const value = doc.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    bag.error(doc.start, "not-a-manifest", "", "a manifest must be a mapping with apiVersion, kind, metadata and spec", "See examples/clusters/ for the shape of a manifest.");
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  let ok = true;
  if (obj.apiVersion !== API_VERSION) {
    const at = obj.apiVersion === undefined ? doc.start : doc.positionOf(["apiVersion"]);
    const what = obj.apiVersion === undefined ? "apiVersion is missing" : `unknown apiVersion ${JSON.stringify(obj.apiVersion)}`;
    bag.error(at, "unknown-api-version", "apiVersion", what, `Write apiVersion: ${API_VERSION}`);
    ok = false;
  }
  if (!isKindName(obj.kind)) {
    const at = obj.kind === undefined ? doc.start : doc.positionOf(["kind"]);
    const guess = typeof obj.kind === "string" ? didYouMean(obj.kind, kindNames) : undefined;
    const what = obj.kind === undefined ? "kind is missing" : `unknown kind ${JSON.stringify(obj.kind)}`;
    bag.error(at, "unknown-kind", "kind", what, guess ? `Did you mean ${guess}?` : `kind is one of: ${kindNames.join(", ")}`);
    return undefined;
  }
  const hash = schemaHash(obj.kind);
  // the same text passed this very schema when it was last loaded (the parse cache says so)
  if (ok && doc.validAgainst === hash) return { kind: obj.kind, name: (obj.metadata as { name: string }).name, value: obj, source: doc };
  const validate = validatorFor(obj.kind);
  if (validate(obj) && ok) {
    doc.recordValid?.(hash);
    return { kind: obj.kind, name: (obj.metadata as { name: string }).name, value: obj, source: doc };
  }
  const errors = selectErrors(validate.errors ?? []);
  for (const err of errors) report(err, doc, bag);
  const salvaged = salvage({ ...obj, apiVersion: API_VERSION }, validate, errors);
  return salvaged ? { kind: obj.kind, name: (salvaged.metadata as { name: string }).name, value: salvaged, source: doc, salvaged: true } : undefined;
}

/**
 * A copy of an invalid document with its invalid values left out, when what remains is valid — so
 * that references and provider rules are still checked in the same run (every problem at once) and
 * a bad value does not make the resource vanish (which would cause a second, wrong "not defined"
 * error elsewhere). Values are removed at the failing path (an unknown field, a value of the wrong
 * type or format, an object missing a required field); a problem at the top of the document or its
 * spec (e.g. spec.provider missing) cannot be left out: undefined.
 */
function salvage(value: Record<string, unknown>, validate: ValidateFunction, first: ErrorObject[]): Record<string, unknown> | undefined {
  const copy = structuredClone(value);
  let errors = first;
  for (let round = 0; round < 6; round++) {
    for (const err of errors) {
      const keys = pointerKeys(err.instancePath, copy);
      if (err.keyword === "additionalProperties") keys.push(String((err.params as { additionalProperty: string }).additionalProperty));
      if (keys.length <= 1 || (keys.length === 2 && keys[0] === "metadata" && keys[1] === "name")) return undefined;
      removeAt(copy, keys);
    }
    if (validate(copy)) return copy;
    errors = selectErrors(validate.errors ?? []);
  }
  return undefined;
}

function removeAt(root: unknown, keys: Array<string | number>): void {
  let cur: unknown = root;
  for (const k of keys.slice(0, -1)) {
    if (cur === null || typeof cur !== "object") return;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  const last = keys[keys.length - 1]!;
  if (Array.isArray(cur) && typeof last === "number") cur.splice(last, 1);
  else if (cur !== null && typeof cur === "object") delete (cur as Record<string | number, unknown>)[last];
}

/** Turns a JSON pointer into field keys, numbers for array indices. */
function pointerKeys(pointer: string, root: unknown): Array<string | number> {
  const keys: Array<string | number> = [];
  let cur: unknown = root;
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const key: string | number = Array.isArray(cur) ? Number(seg) : seg;
    keys.push(key);
    cur = cur === null || typeof cur !== "object" ? undefined : (cur as Record<string | number, unknown>)[key];
  }
  return keys;
}

/**
 * Keeps the errors worth showing. For a union (anyOf) ajv reports every branch; we keep the branch
 * the value most likely meant (discriminator `type`/`kind` matches, shape matches, fewest errors).
 */
export function selectErrors(errors: ErrorObject[]): ErrorObject[] {
  let remaining = [...errors];
  const unions = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (!remaining.includes(union)) continue;
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<number, ErrorObject[]>();
    for (const e of remaining) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const idx = Number(e.schemaPath.slice(prefix.length).split("/")[0]);
      branches.set(idx, [...(branches.get(idx) ?? []), e]);
    }
    const inBranches = (e: ErrorObject) => e.schemaPath.startsWith(prefix);
    if (isSecretSchema(union.parentSchema) && typeof union.data !== "object") {
      remaining = remaining.filter((e) => e !== union && !inBranches(e));
      remaining.push({ ...union, keyword: "inlineSecret" });
      continue;
    }
    const literals = literalUnion(union, branches);
    if (literals) {
      remaining = remaining.filter((e) => e !== union && !inBranches(e));
      remaining.push({ ...union, keyword: "enum", params: { allowedValues: literals } });
      continue;
    }
    const scored = [...branches.entries()].map(([idx, errs]) => ({ idx, errs, score: branchScore(errs, union.instancePath) }));
    scored.sort((a, b) => a.score - b.score);
    const best = scored[0];
    const shapeMismatchEverywhere = scored.every((s) => s.errs.some((e) => e.keyword === "type" && e.instancePath === union.instancePath));
    remaining = remaining.filter((e) => e !== union && (!inBranches(e) || (!shapeMismatchEverywhere && best?.errs.includes(e))));
    if (shapeMismatchEverywhere || !best) remaining.push({ ...union, keyword: "unionType" });
  }
  return remaining;
}

/**
 * The values of a union whose every branch is a literal (e.g. `power: running | stopped |
 * deallocated`), when the value matched none of them; undefined for other unions. Reporting it as
 * one enum lists every allowed value instead of the closest branch's one.
 */
function literalUnion(union: ErrorObject, branches: Map<number, ErrorObject[]>): unknown[] | undefined {
  const options = (union.schema ?? (union.parentSchema as { anyOf?: unknown[] } | undefined)?.anyOf) as Array<Record<string, unknown>> | undefined;
  if (!Array.isArray(options) || !options.length || !options.every((o) => o && typeof o === "object" && "const" in o)) return undefined;
  const all = [...branches.values()];
  if (all.length !== options.length || !all.every((errs) => errs.length === 1 && errs[0]!.keyword === "const" && errs[0]!.instancePath === union.instancePath)) return undefined;
  return options.map((o) => o.const);
}

function isSecretSchema(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && (schema as Record<string, unknown>)[SECRET_KEYWORD] === true;
}

function branchScore(errs: ErrorObject[], at: string): number {
  let score = errs.length;
  if (errs.some((e) => (e.keyword === "const" || e.keyword === "enum") && /\/(type|kind)$/.test(e.instancePath))) score += 1000;
  if (errs.some((e) => e.keyword === "type" && e.instancePath === at)) score += 100;
  return score;
}

function report(err: ErrorObject, doc: YamlDocument, bag: DiagnosticBag): void {
  const keys = pointerKeys(err.instancePath, doc.value);
  const path = fieldPath(keys);
  const schema = (err.parentSchema ?? {}) as Record<string, unknown>;
  const describe = typeof schema.description === "string" ? schema.description : undefined;
  const examples = Array.isArray(schema.examples) ? `e.g. ${schema.examples.map((x) => JSON.stringify(x)).join(", ")}` : undefined;
  const hint = [describe, examples].filter(Boolean).join(" ") || undefined;
  const at = doc.positionOf(keys);
  switch (err.keyword) {
    case "additionalProperties": {
      const prop = String((err.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((schema.properties as Record<string, unknown>) ?? {});
      const guess = didYouMean(prop, allowed);
      bag.error(doc.positionOf([...keys, prop], true), "unknown-field", fieldPath([...keys, prop]), `unknown field "${prop}"`, guess ? `Did you mean "${guess}"?` : `Allowed fields here: ${allowed.join(", ")}.`);
      return;
    }
    case "required": {
      const prop = String((err.params as { missingProperty: string }).missingProperty);
      const propSchema = ((schema.properties as Record<string, Record<string, unknown>>) ?? {})[prop];
      const desc = typeof propSchema?.description === "string" ? ` (${propSchema.description})` : "";
      bag.error(doc.positionOf(keys, true), "missing-field", fieldPath([...keys, prop]), `missing required field "${prop}"`, `Add ${prop}${desc}.`);
      return;
    }
    case "inlineSecret":
      bag.error(at, "inline-secret", path, "a secret is written inline", `Never put secrets in manifests. Write {env: NAME} to read it from an environment variable, or {file: path} to read it from a file.`);
      return;
    case "unionType":
      bag.error(at, "wrong-type", path, `has the wrong type (${describeValue(err.data)})`, hint ?? "See the schema for the accepted shapes.");
      return;
    case "type":
      bag.error(at, "wrong-type", path, `must be ${article(String((err.params as { type: string }).type))}, not ${describeValue(err.data)}`, hint);
      return;
    case "const":
    case "enum": {
      const allowed = err.keyword === "const" ? [(err.params as { allowedValue: unknown }).allowedValue] : (err.params as { allowedValues: unknown[] }).allowedValues;
      const guess = typeof err.data === "string" ? didYouMean(err.data, allowed.map(String)) : undefined;
      const list = allowed.map((a) => JSON.stringify(a));
      const use = list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list.at(-1)}` : list[0];
      const fix = [guess ? `Did you mean ${JSON.stringify(guess)}?` : "", allowed.length > 1 ? `Allowed values: ${allowed.map(String).join(", ")}.` : "", guess ? "" : hint ?? ""].filter(Boolean).join(" ");
      bag.error(at, "invalid-value", path, `${JSON.stringify(err.data)} is not allowed here; use ${use}`, fix || undefined);
      return;
    }
    case "pattern":
      bag.error(at, "invalid-format", path, `${JSON.stringify(err.data)} has the wrong format`, hint ?? `It must match ${String((err.params as { pattern: string }).pattern)}.`);
      return;
    default:
      bag.error(at, "invalid-value", path, `${err.message ?? "is invalid"}${err.data !== undefined && typeof err.data !== "object" ? ` (got ${JSON.stringify(err.data)})` : ""}`, hint);
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}
