import type { ObservedResource } from "../contract.js";
import { MARKER_TAG, splitDescription } from "./marker.js";
import { DRIVE_KEY, parseDrive, parseNet, parseProps, sizeMiB, storageOfVolume } from "./pve-values.js";
import { canonicalKeys, canonicalTags, compareSlots, type DiskSpec, type NicSpec, type VmSpec } from "./spec-types.js";

/** A PVE guest config as `GET …/config` returns it (pending values applied). */
export type PveConfig = Record<string, string | number | undefined>;

/** What observe knows of one guest: where it is, whether it runs, and its config. */
export interface GuestView {
  node: string;
  vmid: number;
  running: boolean;
  config: PveConfig;
}

/** The Proxmox external id of a guest: `node/vmid`. */
export function guestId(node: string, vmid: number): string {
  return `${node}/${vmid}`;
}

/** Parses `node/vmid`; throws on anything else. */
export function parseGuestId(externalId: string): { node: string; vmid: number } {
  const m = /^([^/]+)\/(\d+)$/.exec(externalId);
  if (!m) throw new Error(`not a Proxmox guest id (node/vmid): ${externalId}`);
  return { node: m[1]!, vmid: Number(m[2]) };
}

function disksOf(config: PveConfig): DiskSpec[] {
  const out: DiskSpec[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!/^(scsi|virtio|sata)\d+$/.test(key) || value === undefined) continue;
    const d = parseDrive(String(value));
    if (d.cdrom || d.cloudinit) continue;
    out.push({ slot: key, storage: storageOfVolume(d.file), size: sizeMiB(d.size) ?? 0 });
  }
  return out.sort((a, b) => compareSlots(a.slot, b.slot));
}

function nicsOf(config: PveConfig): NicSpec[] {
  return Object.keys(config)
    .filter((k) => /^net\d+$/.test(k))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
    .map((k) => {
      const n = parseNet(String(config[k]));
      return { model: n.model, bridge: n.rest.bridge ?? "", vlan: n.rest.tag !== undefined ? Number(n.rest.tag) : null, mac: n.mac };
    });
}

/** The drive key holding the cloud-init disk, if any. */
export function cloudInitDrive(config: PveConfig): string | undefined {
  return Object.keys(config).find((k) => DRIVE_KEY.test(k) && parseDrive(String(config[k])).cloudinit);
}

/** The slot of the boot disk: the first disk named in `boot: order=…`. */
function bootDiskOf(config: PveConfig, disks: DiskSpec[]): string | null {
  const order = /(?:^|,)order=([^,]*)/.exec(String(config.boot ?? ""))?.[1]?.split(";") ?? [];
  const slots = new Set(disks.map((d) => d.slot));
  return order.find((d) => slots.has(d)) ?? (config.boot === undefined ? (disks[0]?.slot ?? null) : null);
}

/** Splits `tags` (`a;b`, PVE also accepts `,` and spaces) into canonical user tags. */
export function tagsOf(raw: unknown): { user: string[]; marked: boolean } {
  const all = String(raw ?? "").split(/[,;\s]+/).filter(Boolean).map((t) => t.toLowerCase());
  return { user: canonicalTags(all, MARKER_TAG), marked: all.includes(MARKER_TAG) };
}

/**
 * Canonical spec of a guest config, in the same shape `canonicalize` gives: MACs upper-case, sizes in
 * MiB whatever unit PVE printed, tags split/sorted/lower-cased, SSH keys URL-decoded and trimmed,
 * server-added keys (`meta`, `smbios1`, `vmgenid`, `digest`) ignored, the marker line taken out of the
 * description. The config is the pending-applied view, so a change already pending is not a change.
 */
export function normaliseGuest(g: GuestView): { kind: "VirtualMachine" | "VmTemplate"; spec: VmSpec; marker: ReturnType<typeof splitDescription>["marker"] } {
  const c = g.config;
  const template = Number(c.template ?? 0) === 1;
  const disks = disksOf(c);
  const ciDrive = cloudInitDrive(c);
  const keys = c.sshkeys !== undefined ? canonicalKeys(safeDecode(String(c.sshkeys)).split("\n")) : [];
  const hasCi = ciDrive !== undefined || c.ciuser !== undefined || keys.length > 0;
  const cdrom = c.ide2 !== undefined ? parseDrive(String(c.ide2)) : undefined;
  const { text, marker } = splitDescription(c.description === undefined ? undefined : String(c.description));
  const spec: VmSpec = {
    node: g.node,
    vmid: g.vmid,
    name: String(c.name ?? `VM ${g.vmid}`),
    cpu: { cores: Number(c.cores ?? 1), sockets: Number(c.sockets ?? 1), type: c.cpu !== undefined ? (parseProps(String(c.cpu), "cputype").cputype ?? null) : null },
    memory: Number(parseProps(String(c.memory ?? "512"), "current").current ?? 512),
    disks,
    bootDisk: bootDiskOf(c, disks),
    networks: nicsOf(c),
    cloudInit: hasCi ? { user: c.ciuser !== undefined ? String(c.ciuser) : null, sshKeys: keys, snippet: cicustomUser(c.cicustom) } : null,
    iso: cdrom && cdrom.cdrom && !cdrom.cloudinit && cdrom.file.includes(":") ? cdrom.file : null,
    tags: tagsOf(c.tags).user,
    description: text,
  };
  if (template) spec.linkedClones = marker?.linkedClones ?? false;
  else {
    spec.autostart = Number(c.onboot ?? 0) === 1;
    spec.agent = agentOn(c.agent);
    spec.power = g.running ? "running" : "stopped";
    spec.clone = marker?.cloneOf ? { template: marker.cloneOf, ...(marker.clone ? { mode: marker.clone } : {}) } : null;
  }
  return { kind: template ? "VmTemplate" : "VirtualMachine", spec, marker };
}

/** The observed resource of a guest; its status (node, running or not) comes from the same list read. */
export function observedGuest(g: GuestView): ObservedResource {
  const { kind, spec, marker } = normaliseGuest(g);
  return {
    kind,
    externalId: guestId(g.node, g.vmid),
    name: spec.name,
    spec: spec as unknown as Record<string, unknown>,
    ...(marker ? { marker: { stack: marker.stack, address: marker.address } } : {}),
    status: { placement: g.node, ...(kind === "VirtualMachine" ? { power: g.running ? ("running" as const) : ("stopped" as const) } : {}) },
  };
}

/** The user-data volume of a `cicustom` value (`user=local:snippets/x.yaml,network=…`), or null. */
export function cicustomUser(raw: unknown): string | null {
  if (raw === undefined) return null;
  return parseProps(String(raw), null).user ?? null;
}

/** Whether an `agent` config value (`1`, `enabled=1,fstrim_cloned_disks=1`, `0`) enables the guest agent. */
export function agentOn(raw: unknown): boolean {
  if (raw === undefined) return false;
  const enabled = parseProps(String(raw), "enabled").enabled;
  return enabled === "1" || enabled === "true" || enabled === "on" || enabled === "yes";
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
