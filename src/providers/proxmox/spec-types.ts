/**
 * The canonical specs of the Proxmox provider: what `canonicalize` makes of a desired resource and
 * what `observe` makes of a PVE config, in the same shape, so that only real differences show.
 * Units: memory and disk sizes in MiB; lists sorted where PVE does not keep an order (tags, storage
 * content/nodes); optional PVE keys are `null` when absent so that removing one is a change too.
 */

/** One disk: its PVE slot (`scsi0`, `virtio1`, `sata0`), storage and size in MiB. */
export interface DiskSpec {
  slot: string;
  storage: string;
  size: number;
}

/**
 * One NIC, `net<i>` for the i-th entry. `mac` is present in desired specs only when the manifest
 * pins one (otherwise the generated MAC is not managed and never churns); observed specs always have it.
 */
export interface NicSpec {
  model: string;
  bridge: string;
  vlan: number | null;
  mac?: string;
}

/** Cloud-init settings: Proxmox's keys (user, SSH keys) and, with snippets, packages and the startup script. */
export interface CloudInitSpec {
  user: string | null;
  sshKeys: string[];
  /**
   * The user-data snippet (`cicustom: user=VOLID`) carrying packages and the startup script, when
   * the provider has `snippets` settings (null: none); observed always. `_userData` is its content
   * (write-only: uploaded, never compared — the volume name holds its hash).
   */
  snippet?: string | null;
  _userData?: string;
}

/** Canonical spec of a `VirtualMachine` (and, without power/autostart/clone, of a `VmTemplate`). */
export interface VmSpec {
  node: string;
  /** Desired only when the manifest pins it; observed always. */
  vmid?: number;
  name: string;
  cpu: { cores: number; sockets: number; type: string | null };
  memory: number;
  /** Sorted by slot (scsi, virtio, sata; then index). */
  disks: DiskSpec[];
  /** Slot of the boot disk (the manifest's first disk). */
  bootDisk: string | null;
  networks: NicSpec[];
  cloudInit: CloudInitSpec | null;
  /** Volume id of the ISO in the CD-ROM (`ide2`), or null. */
  iso: string | null;
  /** User tags, lower-case, sorted (the marker tag `vmsync` is not listed). */
  tags: string[];
  /** The user's description text (vmsync's marker line is not part of it). */
  description: string;
  autostart?: boolean;
  power?: "running" | "stopped";
  /**
   * The QEMU guest agent (`agent: 1`). Desired only for VMs whose guest layer needs the agent's
   * addresses (`spec.guest` without `guest.address`); observed always for VMs.
   */
  agent?: boolean;
  /** The template VM it is cloned from (desired: `{template}`; observed also says `mode`). */
  clone?: { template: string; mode?: "full" | "linked" } | null;
  /** Templates: whether VMs are cloned from it as linked clones. */
  linkedClones?: boolean;
}

/** Canonical spec of an NFS storage registered for an `NfsShare` attachment. */
export interface NfsStorageSpec {
  storage: string;
  server: string;
  export: string;
  content: string[];
  /** Nodes allowed to use it, sorted; null = all. */
  nodes: string[] | null;
  options: string | null;
}

const BUS_RANK: Record<string, number> = { scsi: 0, virtio: 1, sata: 2, ide: 3 };

/** Orders disk slots as canonical specs list them. */
export function compareSlots(a: string, b: string): number {
  const pa = /^([a-z]+)(\d+)$/.exec(a);
  const pb = /^([a-z]+)(\d+)$/.exec(b);
  return (BUS_RANK[pa?.[1] ?? ""] ?? 9) - (BUS_RANK[pb?.[1] ?? ""] ?? 9) || Number(pa?.[2] ?? 0) - Number(pb?.[2] ?? 0);
}

/** Canonical tag list: lower-case, de-duplicated, sorted, without the marker tag. */
export function canonicalTags(tags: Iterable<string>, markerTag: string): string[] {
  return [...new Set([...tags].map((t) => t.trim().toLowerCase()).filter((t) => t && t !== markerTag))].sort();
}

/** Canonical SSH key list: trimmed, empty lines dropped, order kept. */
export function canonicalKeys(keys: Iterable<string>): string[] {
  return [...keys].map((k) => k.trim().replace(/\s+/g, " ")).filter(Boolean);
}
