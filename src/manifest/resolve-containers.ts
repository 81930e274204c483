import { compileDefaults } from "./defaults.js";
import { checkLimits, checkMounts, checkNetworks } from "./container-rules.js";
import type { DesiredProvider, DesiredResource, SpecOf } from "./model.js";
import { isProxmoxName, PROXMOX_VMID_MAX } from "./names.js";
import { countedInteger, countedMac, deriveReplica, replicaName, type PinnedField } from "./replicas.js";
import { lifecycleOf, reportAt, reportDangling, sourceOf, type LoadedDocument, type ResolveContext } from "./resolve.js";
import { ContainerSpec, type ProxmoxProviderSpec } from "./schema/index.js";
import { deepCopy } from "./clone.js";

/** ContainerSpec's defaults, compiled once (see compileDefaults). */
const fillContainerDefaults = compileDefaults(ContainerSpec);

type CtSpec = SpecOf["Container"];

/** Container fields a manifest may pin that replica i derives (+ i - 1) instead of copying (as for VMs). */
const PINNED: PinnedField[] = [
  countedInteger(["vmid"], "VMID", PROXMOX_VMID_MAX, "Choose a lower vmid."),
  countedMac(["networks", "*", "mac"]),
];

/**
 * Resolves Containers (Proxmox LXC): the provider must be a Proxmox one (other types refuse the
 * kind, at spec.provider), exactly one of ostemplate and clone, the template a clone names (a
 * `template: true` Container here, which it then depends on — or a container template that already
 * exists at the provider), provider defaults (node, storage, bridge), mount point and network rules
 * (container-rules.ts), replicas expanded into NAME-1 … NAME-N with vmid + i - 1, and VMIDs and
 * host names unique per provider (VMIDs are shared with the provider's VMs).
 */
export function resolveContainers(ctx: ResolveContext, others: DesiredResource[]): DesiredResource<"Container">[] {
  const out: DesiredResource<"Container">[] = [];
  const vmids = new Map<string, string>();
  for (const r of others) {
    const vmid = (r.spec as { vmid?: number; proxmox?: { vmid?: number } }).vmid ?? (r.spec as { proxmox?: { vmid?: number } }).proxmox?.vmid;
    if (r.provider && vmid !== undefined) vmids.set(`${r.provider}/${vmid}`, r.address);
  }
  const hostnames = new Map<string, string>();
  const macs = new Map<string, string>(); // provider/mac → address
  const docs = ctx.byKind.get("Container") ?? new Map<string, LoadedDocument>();
  for (const doc of docs.values()) {
    const own = doc.value.spec as CtSpec;
    const provider = ctx.providers.get(own.provider);
    if (!provider) {
      reportDangling(ctx, doc, ["spec", "provider"], "Provider", own.provider, ctx.providers);
      continue;
    }
    if (provider.spec.type !== "proxmox") {
      reportAt(ctx, doc, ["spec", "provider"], "wrong-provider-type", `the Container kind is Proxmox VE only, but provider "${own.provider}" is ${provider.spec.type}`, `Name a Proxmox provider, or describe a VirtualMachine for ${provider.spec.type}.`);
      continue;
    }
    const spec = fillContainerDefaults(deepCopy(own)) as CtSpec;
    applyDefaults(spec, provider);
    const dependsOn = [...(spec.dependsOn ?? [])];
    checkSource(ctx, doc, spec, docs, dependsOn);
    const mounts = checkMounts(ctx, doc, spec, provider);
    dependsOn.push(...mounts.dependsOn);
    spec.shareStorages = mounts.shareStorages;
    checkNetworks(ctx, doc, spec, provider);
    checkLimits(ctx, doc, spec, provider);
    if (!spec.node) reportAt(ctx, doc, ["spec"], "missing-field", "no Proxmox node for this container", `Set spec.node, or defaults.node on provider "${provider.name}".`);
    if (!spec.rootfs?.storage) reportAt(ctx, doc, ["spec", "rootfs"], "missing-field", "no storage for the root volume", `Set rootfs.storage, or defaults.storage on provider "${provider.name}".`);
    const count = own.replicas ?? 1;
    if (own.replicas !== undefined && own.hostname !== undefined) reportAt(ctx, doc, ["spec", "hostname"], "invalid-value", "hostname cannot be combined with replicas", "Drop hostname (replicas are named NAME-1 … NAME-N), or drop replicas.");
    if (own.replicas !== undefined && spec.template) reportAt(ctx, doc, ["spec", "replicas"], "invalid-value", "a container template cannot have replicas", "Drop replicas.");
    const reported = new Set<string>();
    for (let i = 1; i <= count; i++) {
      const name = replicaName(doc.name, i, own.replicas !== undefined);
      const address = `Container/${name}`;
      const hostname = own.hostname ?? name;
      if (!isProxmoxName(hostname)) reportAt(ctx, doc, ["spec", "hostname"], "invalid-name", `"${hostname}" is not a valid host name`, "Use letters, digits and inner hyphens, in dot-separated labels.");
      const { spec: replica, problems } = deriveReplica(spec, i, count, PINNED);
      for (const p of problems) {
        const at = ["spec", ...p.keys.map(String)];
        if (!reported.has(at.join("."))) reportAt(ctx, doc, at, "invalid-value", p.message, p.hint);
        reported.add(at.join("."));
      }
      delete replica.replicas;
      (replica.networks ?? []).forEach((n, k) => {
        if (!problems.length && n.mac) claim(ctx, doc, macs, `${own.provider}/${n.mac.toLowerCase()}`, address, ["spec", "networks", String(k), "mac"], `MAC ${n.mac.toLowerCase()}`);
      });
      if (!problems.length && replica.vmid !== undefined) claim(ctx, doc, vmids, `${own.provider}/${replica.vmid}`, address, ["spec", "vmid"], `VMID ${replica.vmid}`);
      claim(ctx, doc, hostnames, `${own.provider}/${hostname}`, address, own.hostname !== undefined ? ["spec", "hostname"] : ["metadata", "name"], `host name ${hostname}`);
      out.push({
        address, kind: "Container", name, provider: own.provider, externalName: hostname,
        labels: (doc.value.metadata as { labels?: Record<string, string> }).labels ?? {},
        spec: replica, lifecycle: lifecycleOf(own as Record<string, unknown>), dependsOn: [...new Set(dependsOn)], source: sourceOf(doc),
        ...(own.replicas !== undefined ? { replicaOf: doc.name } : {}),
      });
    }
  }
  return out;
}

function applyDefaults(spec: CtSpec, provider: DesiredProvider): void {
  const d = (provider.spec as ProxmoxProviderSpec).defaults ?? {};
  spec.node ??= d.node;
  spec.rootfs = { size: spec.rootfs?.size ?? "4GiB", ...(spec.rootfs?.storage ?? d.storage ? { storage: spec.rootfs?.storage ?? d.storage } : {}) };
  for (const m of spec.mountPoints ?? []) if (m.size !== undefined) m.storage ??= spec.rootfs.storage;
  for (const n of spec.networks ?? []) n.bridge ??= d.bridge;
}

/** ostemplate xor clone; what a clone names; what clones cannot have. */
function checkSource(ctx: ResolveContext, doc: LoadedDocument, spec: CtSpec, docs: Map<string, LoadedDocument>, dependsOn: string[]): void {
  if ((spec.ostemplate === undefined) === (spec.clone === undefined)) {
    reportAt(ctx, doc, ["spec"], "invalid-value", "a container needs exactly one of ostemplate or clone", "Write ostemplate: STORAGE:vztmpl/FILE, or clone: {template: NAME}.");
  }
  if (spec.template && (spec.mountPoints ?? []).some((m) => m.size === undefined)) {
    reportAt(ctx, doc, ["spec", "mountPoints"], "invalid-value", "a container template cannot have bind mount points: Proxmox cannot clone them", "Bind-mount in the clones instead.");
  }
  if (!spec.clone) return;
  for (const key of ["sshKeys", "rootPassword"] as const) {
    if (spec[key] !== undefined) reportAt(ctx, doc, ["spec", key], "invalid-value", `${key} is only applied when a container is created from an ostemplate; a clone keeps the template's`, `Remove ${key}, or set it on the template.`);
  }
  const tpl = docs.get(spec.clone.template);
  if (!tpl) return; // a container template that exists at the provider (checked when the clone is made)
  const t = tpl.value.spec as CtSpec;
  if (t.template !== true) return reportAt(ctx, doc, ["spec", "clone", "template"], "invalid-value", `Container/${spec.clone.template} is not a template (template: true)`, "Clone a container template.");
  if (t.provider !== spec.provider) return reportAt(ctx, doc, ["spec", "clone", "template"], "invalid-value", `Container/${spec.clone.template} is on provider "${t.provider}", not "${spec.provider}"`, "Clone a template on the same provider.");
  if ((t.unprivileged ?? true) !== spec.unprivileged) reportAt(ctx, doc, ["spec", "unprivileged"], "invalid-value", `a clone has its template's unprivileged setting (${t.unprivileged ?? true})`, "Set the same unprivileged as the template.");
  dependsOn.push(`Container/${spec.clone.template}`);
}

function claim(ctx: ResolveContext, doc: LoadedDocument, taken: Map<string, string>, key: string, address: string, keys: string[], what: string): void {
  const other = taken.get(key);
  if (other && other !== address) reportAt(ctx, doc, keys, "name-collision", `${what} of ${address} is also used by ${other} on the same provider`, "Give each guest its own VMID and host name on a provider.");
  else taken.set(key, address);
}

/**
 * Warns when a schedule targets a container with bind mount points: Proxmox cannot snapshot them
 * (pve-container's has_feature('snapshot') fails on any non-volume mount point), so every round
 * would fail for it.
 */
export function warnUnsnapshottable(ctx: ResolveContext, resources: DesiredResource[]): void {
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  for (const s of resources) {
    if (s.kind !== "SnapshotSchedule" || s.attachmentOf !== undefined) continue;
    const bad = (s.spec as SpecOf["SnapshotSchedule"]).resolvedTargets.filter((a) => {
      const t = byAddress.get(a);
      return t?.kind === "Container" && ((t.spec as CtSpec).mountPoints ?? []).some((m) => m.size === undefined);
    });
    if (!bad.length) continue;
    ctx.bag.add({
      severity: "warning", ...s.source, code: "not-snapshottable", path: "spec.targets",
      message: `Proxmox cannot snapshot ${bad.join(", ")}: containers with bind mount points have no snapshot feature`,
      hint: "Take those containers out of the schedule (e.g. with a label selector), or replace their bind mounts with volumes.",
    });
  }
}
