import { stringify } from "yaml";
import type { DesiredProvider, DesiredResource } from "../manifest/model.js";
import { API_VERSION } from "../manifest/schema/index.js";
import type { FieldChange, GeneratedSpec, ObservedResource, Provider } from "../providers/contract.js";
import { UsageError } from "./errors.js";

/** The kinds `vmsync import --generate` can write a manifest for. */
export const GENERATED_KINDS = new Set(["VirtualMachine"]);

/**
 * The YAML text of the manifest `vmsync import --generate` writes: a header saying where it came
 * from, then one document whose spec describes the observed object as it is.
 */
export function manifestYaml(input: { kind: string; name: string; generated: GeneratedSpec; command: string; at: Date }): string {
  const header = [
    `# Written by \`${input.command}\` on ${input.at.toISOString()}.`,
    "# It describes the object as it is, so the next plan changes nothing; review it and commit it.",
    ...input.generated.notes.map((n) => `# Not expressible here (the next plan will show it): ${n}`),
  ];
  const doc = { apiVersion: API_VERSION, kind: input.kind, metadata: { name: input.name }, spec: input.generated.spec };
  return `${header.join("\n")}\n${stringify(doc, { lineWidth: 0 })}`;
}

/** The spec of the manifest to write for `observed`, or a usage error when the provider cannot describe it. */
export function generateSpec(provider: Provider, kind: DesiredResource["kind"], observed: ObservedResource, config: DesiredProvider, name: string): GeneratedSpec {
  const generated = provider.manifestSpec?.(kind, observed, config, name);
  if (!generated) throw new UsageError(`the ${provider.type} provider cannot write a manifest for a ${kind}`, "Write the manifest yourself, then import without --generate.");
  return generated;
}

/** What the next plan would change on an imported object: the provider's diff of manifest and object. */
export function changesAfterImport(provider: Provider, resource: DesiredResource, config: DesiredProvider, observed: ObservedResource): FieldChange[] {
  const ignore = resource.lifecycle.ignoreChanges.map((p) => p.replace(/^spec\./, ""));
  return provider.diff(resource.kind, provider.canonicalize(resource, config), observed.spec).filter((c) => !ignore.some((p) => c.path === p || c.path.startsWith(`${p}.`) || c.path.startsWith(`${p}[`)));
}
