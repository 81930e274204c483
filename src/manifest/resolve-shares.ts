import { compileDefaults } from "./defaults.js";
import type { DesiredResource } from "./model.js";
import { lifecycleOf, reportAt, reportDangling, sourceOf, type ResolveContext } from "./resolve.js";
import { NfsShareSpec } from "./schema/index.js";
import { sizeToMiB } from "./units.js";
import { deepCopy } from "./clone.js";

/** NfsShareSpec's defaults, compiled once (see compileDefaults). */
const fillShareDefaults = compileDefaults(NfsShareSpec);

/**
 * Resolves NfsShares: the exporting provider must be TrueNAS or Azure (Azure needs its `azure`
 * section and at least 100GiB), every `attachTo` must name a Proxmox provider, and Proxmox storage
 * ids must be unique per provider. TrueNAS datasets default to `POOL/vmsync/NAME`.
 */
export function resolveShares(ctx: ResolveContext): DesiredResource<"NfsShare">[] {
  const out: DesiredResource<"NfsShare">[] = [];
  const storages = new Map<string, string>();
  for (const doc of ctx.byKind.get("NfsShare")?.values() ?? []) {
    const spec = fillShareDefaults(deepCopy(doc.value.spec)) as NfsShareSpec;
    const provider = ctx.providers.get(spec.provider);
    if (!provider) {
      reportDangling(ctx, doc, ["spec", "provider"], "Provider", spec.provider, ctx.providers);
      continue;
    }
    const type = provider.spec.type;
    if (type === "proxmox") {
      reportAt(ctx, doc, ["spec", "provider"], "wrong-provider-type", `provider "${spec.provider}" is Proxmox, which does not export NFS shares`, "Export from a TrueNAS or Azure provider and use attachTo to register it on Proxmox.");
      continue;
    }
    if (type === "azure") {
      if (!spec.azure) reportAt(ctx, doc, ["spec"], "missing-field", "an NfsShare on Azure needs an azure section (storageAccount)", "Add spec.azure.storageAccount.");
      if ((sizeToMiB(spec.size) ?? 0) < 100 * 1024) reportAt(ctx, doc, ["spec", "size"], "invalid-value", "premium Azure file shares are at least 100GiB", "Set spec.size to 100GiB or more.");
      if (spec.dataset) reportAt(ctx, doc, ["spec", "dataset"], "field-not-for-provider", "dataset applies to TrueNAS shares", "Remove dataset.");
    }
    if (type === "truenas") {
      if (spec.azure) reportAt(ctx, doc, ["spec", "azure"], "field-not-for-provider", "the azure section applies to Azure shares", "Remove it, or export from an Azure provider.");
      const pool = provider.spec.defaults?.pool;
      if (!spec.dataset && !pool) reportAt(ctx, doc, ["spec"], "missing-field", `no dataset for this share`, `Set spec.dataset, or defaults.pool on provider "${spec.provider}".`);
      spec.dataset ??= pool ? `${pool}/vmsync/${doc.name}` : undefined;
    }
    (spec.attachTo ?? []).forEach((a, i) => {
      const p = ctx.providers.get(a.provider);
      if (!p) return reportDangling(ctx, doc, ["spec", "attachTo", i, "provider"], "Provider", a.provider, ctx.providers);
      if (p.spec.type !== "proxmox") return reportAt(ctx, doc, ["spec", "attachTo", i, "provider"], "wrong-provider-type", `attachTo registers Proxmox storage, but "${a.provider}" is ${p.spec.type}`, "Name a Proxmox provider.");
      const key = `${a.provider}/${a.storage}`;
      const other = storages.get(key);
      if (other) reportAt(ctx, doc, ["spec", "attachTo", i, "storage"], "name-collision", `Proxmox storage "${a.storage}" on "${a.provider}" is also used by ${other}`, "Choose another storage id.");
      else storages.set(key, `NfsShare/${doc.name}`);
    });
    const share: DesiredResource<"NfsShare"> = {
      address: `NfsShare/${doc.name}`, kind: "NfsShare", name: doc.name, provider: spec.provider, externalName: doc.name,
      labels: ((doc.value.metadata as { labels?: Record<string, string> }).labels ?? {}),
      spec, lifecycle: lifecycleOf(spec as Record<string, unknown>), dependsOn: [...(spec.dependsOn ?? [])], source: sourceOf(doc),
    };
    out.push(share);
    for (const a of spec.attachTo ?? []) {
      if (ctx.providers.get(a.provider)?.spec.type !== "proxmox") continue;
      out.push({
        ...share, address: `${share.address}@${a.provider}`, provider: a.provider, externalName: a.storage, dependsOn: [share.address], attachmentOf: share.address,
        exporter: { type, ...(provider.spec.endpoint !== undefined ? { endpoint: provider.spec.endpoint } : {}) },
      });
    }
  }
  return out;
}
