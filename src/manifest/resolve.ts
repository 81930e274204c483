import { fieldPath, type DiagnosticBag, type SourcePos } from "./diagnostics.js";
import { findCycle } from "./cycles.js";
import { resolveContainers, warnUnsnapshottable } from "./resolve-containers.js";
import type { DesiredProvider, DesiredResource, DesiredState, Lifecycle, ResourceKind } from "./model.js";
import { resolveGuests } from "./resolve-guests.js";
import { resolveSchedules } from "./resolve-schedules.js";
import { resolveShares } from "./resolve-shares.js";
import { hint, resolveTemplates } from "./resolve-templates.js";
import { resolveVms } from "./resolve-vms.js";
import type { ProviderSpec } from "./schema/index.js";
import type { ValidDocument } from "./validate.js";

/** A schema-valid document with the file facts the resolver needs. */
export interface LoadedDocument extends ValidDocument {
  absFile: string;
  root: string;
}

/** Shared context of the resolution passes: documents by kind and name, and where to report. */
export interface ResolveContext {
  bag: DiagnosticBag;
  byKind: Map<string, Map<string, LoadedDocument>>;
  providers: Map<string, DesiredProvider>;
  /** `Kind/name` of documents that exist but failed validation: references to them are not reported again. */
  invalid: Set<string>;
}

/**
 * Reports a reference to `kind` `name` that resolves to nothing, unless the document exists but is
 * invalid (its own errors are already reported). The hint suggests the closest defined name.
 */
export function reportDangling(ctx: ResolveContext, doc: LoadedDocument, keys: Array<string | number>, kind: string, name: string, known: Map<string, unknown>): void {
  if (ctx.invalid.has(`${kind}/${name}`)) return;
  const what = kind === "Provider" ? "provider" : kind === "VmTemplate" ? "template" : kind === "NfsShare" ? "share" : kind === "Container" ? "container" : kind;
  reportAt(ctx, doc, keys, "dangling-reference", `${what} "${name}" is not defined`, hint(name, known));
}

/** Reports `message` at field `keys` of `doc`. */
export function reportAt(ctx: ResolveContext, doc: LoadedDocument, keys: Array<string | number>, code: string, message: string, hint?: string): void {
  ctx.bag.error(doc.source.positionOf(keys), code, fieldPath(keys), message, hint);
}

/** The lifecycle fields of a spec with their defaults. */
export function lifecycleOf(spec: Record<string, unknown>): Lifecycle {
  return {
    protect: spec.protect === true,
    ignoreChanges: Array.isArray(spec.ignoreChanges) ? (spec.ignoreChanges as string[]) : [],
    updatePolicy: spec.updatePolicy === "replace-allowed" ? "replace-allowed" : "in-place-only",
    suspend: spec.suspend === true,
  };
}

/** Position of a document's `metadata.name`, the place a resource as a whole is reported at. */
export function sourceOf(doc: LoadedDocument): SourcePos {
  return doc.source.positionOf(["metadata", "name"]);
}

/**
 * Turns schema-valid documents into the desired state: duplicates, references (provider, template,
 * share, schedule targets), provider-specific rules, replicas, dependency cycles. Every problem is a
 * diagnostic; the result is meaningful only when the bag has no errors.
 */
export function resolveDocuments(docs: LoadedDocument[], bag: DiagnosticBag, invalid: Set<string> = new Set()): DesiredState {
  const byKind = new Map<string, Map<string, LoadedDocument>>();
  for (const doc of docs) {
    const names = byKind.get(doc.kind) ?? new Map<string, LoadedDocument>();
    byKind.set(doc.kind, names);
    const first = names.get(doc.name);
    if (first) {
      const at = first.source.positionOf(["metadata", "name"]);
      reportDuplicate(bag, doc, `${doc.kind}/${doc.name}`, at);
      continue;
    }
    names.set(doc.name, doc);
  }
  const providers = new Map<string, DesiredProvider>();
  for (const doc of byKind.get("Provider")?.values() ?? []) {
    providers.set(doc.name, { name: doc.name, spec: doc.value.spec as ProviderSpec, source: sourceOf(doc), baseDir: dirOf(doc.absFile), root: doc.root });
  }
  const ctx: ResolveContext = { bag, byKind, providers, invalid };
  const templates = resolveTemplates(ctx);
  const resources: DesiredResource[] = [...[...templates.values()].filter((t) => t.provider !== undefined)];
  resources.push(...resolveVms(ctx, templates));
  resources.push(...resolveContainers(ctx, resources));
  resources.push(...resolveShares(ctx));
  resources.push(...resolveGuests(ctx, resources));
  const seen = new Map<string, DesiredResource>();
  for (const r of resources) {
    const other = seen.get(r.address);
    if (other) bag.error(r.source, "duplicate-address", "metadata.name", `${r.address} is defined twice (also at ${other.source.file}:${other.source.line}:${other.source.column})`, "Every resource address (Kind/name, replicas included) must be unique.");
    else seen.set(r.address, r);
  }
  resources.push(...resolveSchedules(ctx, resources));
  warnUnsnapshottable(ctx, resources);
  checkExplicitDependencies(ctx, resources);
  const cycle = findCycle(resources.map((r) => ({ id: r.address, edges: r.dependsOn })));
  if (cycle) {
    const first = resources.find((r) => r.address === cycle[0])!;
    bag.error(first.source, "dependency-cycle", "spec.dependsOn", `dependency cycle: ${[...cycle, cycle[0]].join(" → ")}`, "Remove one of the dependencies so that the resources can be applied in order.");
  }
  resources.sort((a, b) => a.address.localeCompare(b.address));
  return { providers, templates, resources };
}

function reportDuplicate(bag: DiagnosticBag, doc: LoadedDocument, address: string, first: SourcePos): void {
  bag.error(doc.source.positionOf(["metadata", "name"]), "duplicate-address", "metadata.name", `${address} is defined twice (first at ${first.file}:${first.line}:${first.column})`, "Names must be unique per kind across all manifest files; rename or remove one.");
}

function checkExplicitDependencies(ctx: ResolveContext, resources: DesiredResource[]): void {
  const known = new Set(resources.map((r) => r.address));
  for (const r of resources) {
    const explicit = ((r.spec as { dependsOn?: string[] }).dependsOn ?? []) as string[];
    explicit.forEach((dep, i) => {
      if (known.has(dep)) return;
      const replicas = resources.filter((x) => x.replicaOf !== undefined && `${x.kind}/${x.replicaOf}` === dep).map((x) => x.address);
      if (replicas.length > 0) {
        r.dependsOn = r.dependsOn.filter((d) => d !== dep).concat(replicas);
        return;
      }
      const doc = ctx.byKind.get(r.kind)?.get(r.replicaOf ?? r.name);
      if (doc) reportAt(ctx, doc, ["spec", "dependsOn", i], "dangling-reference", `dependsOn names ${dep}, which is not defined`, "Name an existing resource as Kind/name.");
    });
  }
}

function dirOf(file: string): string {
  return file.replace(/[\\/][^\\/]*$/, "");
}

export type { ResourceKind };
