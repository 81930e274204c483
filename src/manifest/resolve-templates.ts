import { didYouMean } from "./diagnostics.js";
import { mergeSpec } from "./merge.js";
import type { DesiredResource } from "./model.js";
import { lifecycleOf, reportAt, reportDangling, sourceOf, type LoadedDocument, type ResolveContext } from "./resolve.js";
import type { VmTemplateSpec } from "./schema/index.js";

/**
 * Resolves every VmTemplate: follows `spec.template` chains (a cycle is a diagnostic), merges the
 * chain into one spec, and checks the Proxmox section's provider. Templates with a Proxmox section
 * get `provider` set: they are planned as Proxmox template VMs.
 */
export function resolveTemplates(ctx: ResolveContext): Map<string, DesiredResource<"VmTemplate">> {
  const docs = ctx.byKind.get("VmTemplate") ?? new Map<string, LoadedDocument>();
  const out = new Map<string, DesiredResource<"VmTemplate">>();
  const merged = new Map<string, VmTemplateSpec | null>(); // null = on the current chain, or broken

  const specOf = (name: string, chain: string[]): VmTemplateSpec | null => {
    if (merged.has(name)) return merged.get(name)!;
    const doc = docs.get(name)!;
    const spec = doc.value.spec as VmTemplateSpec;
    merged.set(name, null);
    let result: VmTemplateSpec | null = spec;
    if (spec.template !== undefined) {
      const parent = docs.get(spec.template);
      if (!parent) {
        reportDangling(ctx, doc, ["spec", "template"], "VmTemplate", spec.template, docs);
        result = null;
      } else if (chain.includes(spec.template)) {
        reportAt(ctx, doc, ["spec", "template"], "template-cycle", `template cycle: ${[...chain, name, spec.template].slice(chain.indexOf(spec.template)).join(" → ")}`, "A template cannot (indirectly) start from itself; break the chain.");
        result = null;
      } else {
        const base = specOf(spec.template, [...chain, name]);
        result = base ? mergeSpec(withoutOwnFields(base), spec) : null;
      }
    }
    merged.set(name, result);
    return result;
  };

  for (const [name, doc] of docs) {
    const spec = specOf(name, []);
    if (!spec) continue;
    const section = spec.proxmox;
    let provider: string | undefined;
    if (section) {
      const p = ctx.providers.get(section.provider);
      if (!p) reportDangling(ctx, doc, ["spec", "proxmox", "provider"], "Provider", section.provider, ctx.providers);
      else if (p.spec.type !== "proxmox") reportAt(ctx, doc, ["spec", "proxmox", "provider"], "wrong-provider-type", `provider "${section.provider}" is a ${p.spec.type} provider; template VMs exist only on Proxmox`, "Name a Proxmox provider, or drop the proxmox section.");
      else provider = section.provider;
    }
    out.set(name, {
      address: `VmTemplate/${name}`,
      kind: "VmTemplate",
      name,
      labels: ((doc.value.metadata as { labels?: Record<string, string> }).labels ?? {}),
      ...(provider ? { provider, externalName: name } : {}),
      spec,
      lifecycle: lifecycleOf(spec as Record<string, unknown>),
      dependsOn: [],
      source: sourceOf(doc),
    });
  }
  return out;
}

/** A parent template's spec without the fields that belong to the parent itself (its own chain, its template VM). */
function withoutOwnFields(spec: VmTemplateSpec): VmTemplateSpec {
  const { template: _t, proxmox: _p, protect: _pr, dependsOn: _d, ...rest } = spec;
  return rest;
}

/** A did-you-mean hint for a dangling name. */
export function hint(name: string, known: Map<string, unknown>): string {
  const names = [...known.keys()];
  const close = didYouMean(name, names);
  if (names.length === 0) return "None is defined yet; add one.";
  return close ? `Did you mean "${close}"? Defined: ${names.join(", ")}.` : `Defined: ${names.join(", ")}.`;
}
