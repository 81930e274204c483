import { compileDefaults } from "./defaults.js";
import { mergeSpec } from "./merge.js";
import type { DesiredProvider, DesiredResource } from "./model.js";
import { azureVmNameProblem, isProxmoxName, isTruenasVmName, PROXMOX_VMID_MAX, truenasVmName } from "./names.js";
import { countedInteger, countedMac, deriveReplica, replicaName, type PinnedField } from "./replicas.js";
import { lifecycleOf, reportAt, reportDangling, sourceOf, type LoadedDocument, type ResolveContext } from "./resolve.js";
import { VirtualMachineSpec, type VmTemplateSpec } from "./schema/index.js";
import { sizeToMiB } from "./units.js";
import { deepCopy } from "./clone.js";

/** VirtualMachineSpec's defaults, compiled once (see compileDefaults). */
const fillVmDefaults = compileDefaults(VirtualMachineSpec);

/** Fields that only mean something on one provider type; setting them on a VM elsewhere is a mistake. */
const ONLY_ON: Record<string, "proxmox" | "truenas" | "azure"> = {
  node: "proxmox", vmid: "proxmox", dataset: "truenas", location: "azure", resourceGroup: "azure", size: "azure", image: "azure", display: "truenas", bootloader: "truenas",
};

/** VM fields a manifest may pin that replica i derives (+ i - 1) instead of copying. */
const PINNED: PinnedField[] = [
  countedInteger(["vmid"], "VMID", PROXMOX_VMID_MAX, "Choose a lower vmid."),
  countedMac(["networks", "*", "mac"]),
  countedInteger(["display", "port"], "port", 65535, "Choose a lower display port, or leave port out (TrueNAS allocates one)."),
];

/**
 * Resolves VirtualMachines: provider and template references, template merge, provider defaults
 * (node, storage, bridge, location, resource group), provider rules (names, VMIDs, required
 * fields), and `replicas` expanded into NAME-1 … NAME-N.
 */
export function resolveVms(ctx: ResolveContext, templates: Map<string, DesiredResource<"VmTemplate">>): DesiredResource<"VirtualMachine">[] {
  const out: DesiredResource<"VirtualMachine">[] = [];
  const shares = ctx.byKind.get("NfsShare") ?? new Map();
  const vmids = new Map<string, string>(); // provider/vmid → address
  const truenasNames = new Map<string, string>(); // provider/name → address
  const macs = new Map<string, string>(); // provider/mac → address
  const ports = new Map<string, string>(); // provider/display port → address
  for (const doc of ctx.byKind.get("VirtualMachine")?.values() ?? []) {
    const own = doc.value.spec as VirtualMachineSpec;
    const provider = ctx.providers.get(own.provider);
    if (!provider) {
      reportDangling(ctx, doc, ["spec", "provider"], "Provider", own.provider, ctx.providers);
      continue;
    }
    const type = provider.spec.type;
    if (type !== "proxmox" && type !== "truenas" && type !== "azure") continue;
    for (const [field, only] of Object.entries(ONLY_ON)) {
      if (field in own && only !== type) reportAt(ctx, doc, ["spec", field], "field-not-for-provider", `${field} applies to ${only} VMs, but provider "${own.provider}" is ${type}`, `Remove ${field}, or move the VM to a ${only} provider.`);
    }
    const dependsOn: string[] = [...(own.dependsOn ?? [])];
    let spec: VirtualMachineSpec = own;
    if (own.template !== undefined) {
      const template = templates.get(own.template);
      if (!template) {
        if (!ctx.byKind.get("VmTemplate")?.has(own.template)) reportDangling(ctx, doc, ["spec", "template"], "VmTemplate", own.template, templates);
        continue;
      }
      const { template: _t, proxmox, protect: _p, dependsOn: _d, ignoreChanges: _i, updatePolicy: _u, suspend: _s, ...inherited } = template.spec as VmTemplateSpec;
      spec = mergeSpec(inherited, own);
      if (proxmox && template.provider === own.provider) dependsOn.push(template.address);
    }
    spec = fillVmDefaults(deepCopy(spec)) as VirtualMachineSpec;
    applyProviderDefaults(spec, provider);
    checkRequired(ctx, doc, spec, provider);
    checkTags(ctx, doc, spec, type, own.tags === undefined ? own.template : undefined);
    warnUnapplied(ctx, doc, spec, type, provider.spec.type === "proxmox" && provider.spec.snippets !== undefined);
    (spec.mounts ?? []).forEach((m, i) => {
      if (shares.has(m.share)) dependsOn.push(`NfsShare/${m.share}`);
      else reportDangling(ctx, doc, ["spec", "mounts", i, "share"], "NfsShare", m.share, shares);
    });
    if (own.externalName !== undefined && own.replicas !== undefined) reportAt(ctx, doc, ["spec", "externalName"], "invalid-value", "externalName cannot be combined with replicas", "Drop externalName (replicas are named NAME-1 … NAME-N), or drop replicas.");
    const count = own.replicas ?? 1;
    const reported = new Set<string>();
    for (let i = 1; i <= count; i++) {
      const name = replicaName(doc.name, i, own.replicas !== undefined);
      const address = `VirtualMachine/${name}`;
      const { spec: replica, problems } = deriveReplica(spec, i, count, PINNED);
      for (const p of problems) {
        const at = ["spec", ...p.keys];
        if (!reported.has(at.join("."))) reportAt(ctx, doc, at, "invalid-value", p.message, p.hint);
        reported.add(at.join("."));
      }
      delete replica.replicas;
      const externalName = externalNameOf(ctx, doc, type, name, own.externalName);
      // with a problem its pinned values are still the first replica's: claiming them would report a false collision
      if (!problems.length) claimPinned(ctx, doc, { vmids, macs, ports }, replica, address, own.provider);
      if (type === "truenas") claim(ctx, doc, truenasNames, `${own.provider}/${externalName}`, address, ["metadata", "name"], `TrueNAS VM name ${externalName}`);
      out.push({
        address, kind: "VirtualMachine", name, provider: own.provider, externalName,
        labels: ((doc.value.metadata as { labels?: Record<string, string> }).labels ?? {}),
        spec: replica, lifecycle: lifecycleOf(own as Record<string, unknown>), dependsOn: [...new Set(dependsOn)], source: sourceOf(doc),
        ...(own.replicas !== undefined ? { replicaOf: doc.name } : {}),
      });
    }
  }
  return out;
}

/** Claims the values a VM pins on its provider (VMID, MACs, display port); a value claimed twice is a collision. */
function claimPinned(ctx: ResolveContext, doc: LoadedDocument, taken: { vmids: Map<string, string>; macs: Map<string, string>; ports: Map<string, string> }, spec: VirtualMachineSpec, address: string, provider: string): void {
  if (spec.vmid !== undefined) claim(ctx, doc, taken.vmids, `${provider}/${spec.vmid}`, address, ["spec", "vmid"], `VMID ${spec.vmid}`);
  (spec.networks ?? []).forEach((n, k) => {
    if (n.mac) claim(ctx, doc, taken.macs, `${provider}/${n.mac.toLowerCase()}`, address, ["spec", "networks", k, "mac"], `MAC ${n.mac.toLowerCase()}`, "Give each NIC its own MAC, or leave mac out so the provider generates one.");
  });
  if (spec.display?.port !== undefined) claim(ctx, doc, taken.ports, `${provider}/${spec.display.port}`, address, ["spec", "display", "port"], `display port ${spec.display.port}`, "Give each VM its own display port, or leave port out (TrueNAS allocates one).");
}

function claim(ctx: ResolveContext, doc: LoadedDocument, taken: Map<string, string>, key: string, address: string, keys: Array<string | number>, what: string, hint = "Give each VM its own name/VMID on a provider (set spec.vmid or spec.externalName)."): void {
  const other = taken.get(key);
  if (other && other !== address) reportAt(ctx, doc, keys, "name-collision", `${what} of ${address} is also used by ${other} on the same provider`, hint);
  else taken.set(key, address);
}

function externalNameOf(ctx: ResolveContext, doc: LoadedDocument, type: string, name: string, explicit: string | undefined): string {
  const ext = explicit ?? (type === "truenas" ? truenasVmName(name) : name);
  if (type === "proxmox" && !isProxmoxName(ext)) reportAt(ctx, doc, ["spec", "externalName"], "invalid-name", `"${ext}" is not a valid Proxmox VM name`, "Proxmox VM names are DNS names: letters, digits and inner hyphens, in dot-separated labels.");
  if (type === "truenas" && !isTruenasVmName(ext)) reportAt(ctx, doc, ["spec", "externalName"], "invalid-name", `"${ext}" is not a valid TrueNAS VM name`, "TrueNAS VM names allow only letters, digits and underscore.");
  if (type === "azure") {
    const problem = azureVmNameProblem(ext);
    if (problem) reportAt(ctx, doc, explicit ? ["spec", "externalName"] : ["metadata", "name"], "invalid-name", `"${ext}" is not a valid Azure VM name: it ${problem}`, "Rename the VM.");
  }
  return ext;
}

function applyProviderDefaults(spec: VirtualMachineSpec, provider: DesiredProvider): void {
  const p = provider.spec;
  if (p.type === "proxmox") {
    spec.node ??= p.defaults?.node;
    for (const d of spec.disks ?? []) d.storage ??= p.defaults?.storage;
    for (const n of spec.networks ?? []) n.bridge ??= p.defaults?.bridge;
  } else if (p.type === "truenas") {
    for (const n of spec.networks ?? []) n.bridge ??= p.defaults?.bridge;
  } else if (p.type === "azure") {
    spec.location ??= p.defaults?.location;
    spec.resourceGroup ??= p.defaults?.resourceGroup;
    for (const n of spec.networks ?? []) n.subnet ??= p.defaults?.subnet;
  }
}

function checkRequired(ctx: ResolveContext, doc: LoadedDocument, spec: VirtualMachineSpec, provider: DesiredProvider): void {
  const need = (ok: unknown, keys: string[], message: string, fix: string) => {
    if (ok === undefined || ok === false) reportAt(ctx, doc, keys.slice(0, 2), "missing-field", message, fix);
  };
  const type = provider.spec.type;
  // on Azure the size decides memory (and CPUs): memory there is informational, never required
  if (type !== "azure") need(spec.memory, ["spec", "memory"], "memory is not set (neither here nor in the template)", "Add spec.memory, e.g. 2GiB.");
  need(type === "azure" || spec.disks?.length ? true : undefined, ["spec", "disks"], "no disks (neither here nor in the template)", "Add spec.disks with at least a boot disk.");
  if (type === "proxmox") {
    need(spec.node, ["spec", "node"], `no Proxmox node for this VM`, `Set spec.node, or defaults.node on provider "${provider.name}".`);
    need((spec.disks ?? []).every((d) => d.storage) || undefined, ["spec", "disks"], "a disk has no storage", `Set storage on each disk, or defaults.storage on provider "${provider.name}".`);
  }
  if (type !== "azure") {
    need((spec.networks ?? []).every((n) => n.bridge) || undefined, ["spec", "networks"], "a network has no bridge", `Set bridge on each network, or defaults.bridge on provider "${provider.name}".`);
    if (spec.power === "deallocated") reportAt(ctx, doc, ["spec", "power"], "invalid-value", "power: deallocated exists only on Azure", "Use running or stopped.");
  }
  if (type === "truenas" && spec.memory !== undefined && (sizeToMiB(spec.memory) ?? 0) < 20) reportAt(ctx, doc, ["spec", "memory"], "invalid-value", "TrueNAS needs at least 20MiB of memory", "Raise spec.memory.");
  if (type === "azure") {
    need(spec.size, ["spec", "size"], "an Azure VM needs a size", "Set spec.size, e.g. Standard_D2s_v5.");
    need(spec.image, ["spec", "image"], "an Azure VM needs an image", "Set spec.image {publisher, offer, sku}.");
    need(spec.location, ["spec", "location"], "no Azure location for this VM", `Set spec.location, or defaults.location on provider "${provider.name}".`);
    need(spec.resourceGroup, ["spec", "resourceGroup"], "no Azure resource group for this VM", `Set spec.resourceGroup, or defaults.resourceGroup on provider "${provider.name}".`);
    need(spec.cloudInit?.user, ["spec", "cloudInit"], "an Azure VM needs an admin user (cloudInit.user)", "Set spec.cloudInit.user.");
    need(spec.cloudInit?.sshKeys?.length ? true : undefined, ["spec", "cloudInit"], "an Azure VM needs at least one SSH key (password login is off)", "Set spec.cloudInit.sshKeys.");
  }
}

/**
 * Tags have the provider's own shape: words on Proxmox (and TrueNAS, which ignores them), key: value
 * pairs on Azure — as Azure has them. The old list form on Azure is a migration error whose hint
 * shows the map to write; `inheritedFrom` names the template the tags came from.
 */
function checkTags(ctx: ResolveContext, doc: LoadedDocument, spec: VirtualMachineSpec, type: string, inheritedFrom: string | undefined): void {
  const tags = spec.tags;
  if (tags === undefined) return;
  const from = inheritedFrom ? ` (inherited from VmTemplate/${inheritedFrom})` : "";
  const where = inheritedFrom ? ", here or in the template" : "";
  if (type === "azure" && Array.isArray(tags)) {
    const map = tags.length ? `{ ${tags.map((t) => `${t}: ""`).join(", ")} }` : "{}";
    reportAt(ctx, doc, ["spec", "tags"], "invalid-value", `Azure tags are key: value pairs (a map, as in Azure), not a list${from}`, `Write tags: ${map} (a key with an empty value is a bare tag)${where}.`);
  } else if (type !== "azure" && !Array.isArray(tags)) {
    reportAt(ctx, doc, ["spec", "tags"], "invalid-value", `${type === "proxmox" ? "Proxmox" : "TrueNAS"} tags are words (a list), not key: value pairs${from}`, `Write tags: [${Object.entries(tags).map(([k, v]) => (v ? `${k}-${v}` : k)).join(", ")}]${where}.`);
  }
}

/**
 * Fields a provider does not apply yet are accepted (a template may serve several providers) but
 * reported as warnings, so nobody believes a package was installed when it was not: Proxmox VMs get
 * cloud-init user and SSH keys, and packages and the startup script only when the provider has
 * `snippets` (uploaded over SFTP); cloud-init NFS mounts are not applied on Proxmox (spec.guest.mounts
 * are); TrueNAS VMs have no cloud-init at all; Azure VMs get their OS disk and primary NIC only.
 */
function warnUnapplied(ctx: ResolveContext, doc: LoadedDocument, spec: VirtualMachineSpec, type: string, snippets = false): void {
  const unapplied: string[] = [];
  if (type === "proxmox") {
    if (spec.cloudInit?.packages?.length && !snippets) unapplied.push("cloudInit.packages");
    if (spec.cloudInit?.startupScript && !snippets) unapplied.push("cloudInit.startupScript");
    if (spec.mounts?.length) unapplied.push("mounts");
  }
  if (type === "truenas") {
    if (spec.cloudInit) unapplied.push("cloudInit");
    if (spec.mounts?.length) unapplied.push("mounts");
  }
  if (type === "azure") {
    if ((spec.disks?.length ?? 0) > 1) unapplied.push("disks after the first (data disks)");
    if ((spec.networks?.length ?? 0) > 1) unapplied.push("networks after the first");
  }
  if (!unapplied.length) return;
  ctx.bag.add({
    severity: "warning", ...doc.source.positionOf(["metadata", "name"]), code: "not-applied", path: "spec",
    message: `not applied on ${type} VMs: ${unapplied.join(", ")} (set here or inherited from the template)`,
    hint: {
      proxmox: "Set snippets on the Proxmox provider (a storage with snippets content and SSH to the nodes) to have packages and the startup script uploaded as cloud-init user-data; mount shares with spec.guest.mounts.",
      truenas: "TrueNAS VMs have no cloud-init; configure the guest from its image.",
      azure: "vmsync manages the OS disk and the primary NIC of Azure VMs; add data disks and secondary NICs outside vmsync for now.",
    }[type],
  });
}
