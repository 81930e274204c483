import type { DesiredProvider, DesiredResource } from "../../manifest/model.js";
import type { NfsShareSpec, ProxmoxProviderSpec, VirtualMachineSpec, VmTemplateSpec } from "../../manifest/schema/index.js";
import { sizeToMiB } from "../../manifest/units.js";
import type { CanonicalSpec } from "../contract.js";
import { MARKER_TAG } from "./marker.js";
import { renderSnippet } from "./snippets.js";
import { canonicalKeys, canonicalTags, compareSlots, type DiskSpec, type NfsStorageSpec, type NicSpec, type VmSpec } from "./spec-types.js";

/** Mount options vmsync gives every NFS storage it registers. */
export const NFS_OPTIONS = "vers=4.1";

type VmFields = Pick<VirtualMachineSpec, "cpu" | "memory" | "disks" | "networks" | "cloudInit" | "iso" | "tags" | "description">;

function defaultsOf(config: DesiredProvider): NonNullable<ProxmoxProviderSpec["defaults"]> {
  return (config.spec as ProxmoxProviderSpec).defaults ?? {};
}

/** Disks with their PVE slots: per bus, in manifest order (`scsi0`, `scsi1`, `virtio0`); TrueNAS' `ahci` maps to `sata`. */
function disksOf(spec: VmFields, config: DesiredProvider): { disks: DiskSpec[]; boot: string | null } {
  const next: Record<string, number> = {};
  const disks = (spec.disks ?? []).map((d) => {
    const bus = d.bus === "ahci" ? "sata" : (d.bus ?? "scsi");
    const slot = `${bus}${next[bus] ?? 0}`;
    next[bus] = (next[bus] ?? 0) + 1;
    return { slot, storage: d.storage ?? defaultsOf(config).storage ?? "", size: sizeToMiB(d.size) ?? 0 };
  });
  return { disks: [...disks].sort((a, b) => compareSlots(a.slot, b.slot)), boot: disks[0]?.slot ?? null };
}

function nicsOf(spec: VmFields, config: DesiredProvider): NicSpec[] {
  return (spec.networks ?? []).map((n) => ({
    model: n.model ?? "virtio",
    bridge: n.bridge ?? defaultsOf(config).bridge ?? "",
    vlan: n.vlan ?? null,
    ...(n.mac ? { mac: n.mac.toUpperCase() } : {}),
  }));
}

/** The VM fields VirtualMachine and VmTemplate share. */
function vmCore(spec: VmFields, config: DesiredProvider, node: string, name: string): VmSpec {
  const { disks, boot } = disksOf(spec, config);
  const ci = spec.cloudInit;
  const hasCi = ci !== undefined && (ci.user !== undefined || (ci.sshKeys?.length ?? 0) > 0 || ci.packages !== undefined || ci.startupScript !== undefined);
  return {
    node,
    name,
    cpu: { cores: spec.cpu?.cores ?? 1, sockets: spec.cpu?.sockets ?? 1, type: spec.cpu?.type ?? null },
    memory: spec.memory ? (sizeToMiB(spec.memory) ?? 512) : 512,
    disks,
    bootDisk: boot,
    networks: nicsOf(spec, config),
    cloudInit: hasCi ? { user: ci!.user ?? null, sshKeys: canonicalKeys(ci!.sshKeys ?? []) } : null,
    iso: spec.iso ?? null,
    tags: canonicalTags(Array.isArray(spec.tags) ? spec.tags : [], MARKER_TAG), // a map is a validation error on Proxmox
    description: (spec.description ?? "").replace(/\s+$/, ""),
  };
}

/**
 * Canonical desired spec of a VirtualMachine. `clone` names the template when that template is a
 * template VM on this provider (the resolver then made the VM depend on it); `vmid` only when pinned.
 */
export function canonicalVm(r: DesiredResource<"VirtualMachine">, config: DesiredProvider): VmSpec {
  const s = r.spec;
  const node = s.node ?? defaultsOf(config).node ?? "";
  const cloned = s.template !== undefined && r.dependsOn.includes(`VmTemplate/${s.template}`);
  const core = vmCore(s, config, node, r.externalName ?? r.name);
  const snippets = (config.spec as ProxmoxProviderSpec).snippets;
  if (snippets && core.cloudInit) {
    const ci = s.cloudInit;
    const wanted = (ci?.packages?.length ?? 0) > 0 || Boolean(ci?.startupScript);
    const snippet = wanted ? renderSnippet(snippets.storage ?? "local", { name: core.name, user: core.cloudInit.user, sshKeys: core.cloudInit.sshKeys, packages: ci?.packages ?? [], ...(ci?.startupScript ? { startupScript: ci.startupScript } : {}) }) : undefined;
    core.cloudInit = { ...core.cloudInit, snippet: snippet?.volid ?? null, ...(snippet ? { _userData: snippet.content } : {}) };
  }
  return {
    ...core,
    ...(s.vmid !== undefined ? { vmid: s.vmid } : {}),
    autostart: s.autostart ?? false,
    power: s.power === "stopped" ? "stopped" : "running",
    // the guest layer finds the VM's address through the guest agent unless guest.address is given
    ...(s.guest !== undefined && s.guest.address === undefined ? { agent: true } : {}),
    clone: cloned ? { template: s.template! } : null,
  };
}

/** Canonical desired spec of a VmTemplate with a proxmox section: a template VM. */
export function canonicalTemplate(r: DesiredResource<"VmTemplate">, config: DesiredProvider): VmSpec {
  const s: VmTemplateSpec = r.spec;
  const node = s.proxmox?.node ?? defaultsOf(config).node ?? "";
  return {
    ...vmCore(s, config, node, r.externalName ?? r.name),
    ...(s.proxmox?.vmid !== undefined ? { vmid: s.proxmox.vmid } : {}),
    linkedClones: s.proxmox?.linkedClones ?? false,
  };
}

/**
 * The NFS server of an attachment: `attachTo.server`; else for Azure Files the account's file
 * endpoint (`<account>.file.core.windows.net`); else the host of the exporting provider's endpoint
 * (an `{env}` endpoint is read from this process's environment). Empty when unknown — creating the
 * storage then fails asking for `attachTo.server`.
 */
export function nfsServerOf(r: DesiredResource<"NfsShare">, attachServer: string | undefined): string {
  if (attachServer) return attachServer;
  if (r.spec.azure) return `${r.spec.azure.storageAccount}.file.core.windows.net`;
  const ep = r.exporter?.endpoint;
  const raw = typeof ep === "string" ? ep : ep ? process.env[ep.env] : undefined;
  if (!raw) return "";
  try {
    return new URL(raw.includes("://") ? raw : `https://${raw}`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return "";
  }
}

/** The export path: TrueNAS `/mnt/<dataset>`, Azure Files `/<storageAccount>/<share name>`. */
export function nfsExportOf(spec: NfsShareSpec, shareName: string): string {
  return spec.azure ? `/${spec.azure.storageAccount}/${shareName}` : `/mnt/${spec.dataset ?? ""}`;
}

/** Canonical desired spec of an NfsShare attachment (`NfsShare/<name>@<this provider>`): the NFS storage. */
export function canonicalNfsStorage(r: DesiredResource<"NfsShare">, config: DesiredProvider): NfsStorageSpec {
  const storage = r.externalName ?? r.name;
  const attach = (r.spec.attachTo ?? []).find((a) => a.provider === config.name && a.storage === storage);
  const shareName = (r.attachmentOf ?? r.address).replace(/^NfsShare\//, "").replace(/@.*$/, "");
  return {
    storage,
    server: nfsServerOf(r, attach?.server),
    export: nfsExportOf(r.spec, shareName),
    content: [...new Set(attach?.content ?? ["images"])].sort(),
    nodes: attach?.nodes?.length ? [...new Set(attach.nodes)].sort() : null,
    options: NFS_OPTIONS,
  };
}

/** Dispatches on kind; the result is the plain-JSON canonical spec the planner compares. */
export function canonicalize(r: DesiredResource, config: DesiredProvider): CanonicalSpec {
  switch (r.kind) {
    case "VirtualMachine":
      return canonicalVm(r as DesiredResource<"VirtualMachine">, config) as unknown as CanonicalSpec;
    case "VmTemplate":
      return canonicalTemplate(r as DesiredResource<"VmTemplate">, config) as unknown as CanonicalSpec;
    case "NfsShare":
      return canonicalNfsStorage(r as DesiredResource<"NfsShare">, config) as unknown as CanonicalSpec;
    default:
      return structuredClone(r.spec) as CanonicalSpec;
  }
}
