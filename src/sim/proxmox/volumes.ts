import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import type { StorageConfig, VolumeRecord } from "./world.js";

/**
 * Storage plugins as far as volumes are concerned: naming (`local-lvm:vm-100-disk-0` on block
 * storages, `nfs:100/vm-100-disk-0.qcow2` on file storages), supported formats, and which volumes
 * support snapshots and linked clones. Also the volume registry operations (allocate, free, rename to
 * `base-`, copy, linked clone).
 */
export interface StorageTypeInfo {
  file: boolean;
  formats: string[];
  shared: boolean;
  contents: string[];
}

const FILE_CONTENT = ["images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import"];

/** Known storage types (others are accepted by `/storage` and behave like `dir`). */
export const STORAGE_TYPES: Record<string, StorageTypeInfo> = {
  dir: { file: true, formats: ["raw", "qcow2", "vmdk"], shared: false, contents: FILE_CONTENT },
  nfs: { file: true, formats: ["raw", "qcow2", "vmdk"], shared: true, contents: FILE_CONTENT },
  cifs: { file: true, formats: ["raw", "qcow2", "vmdk"], shared: true, contents: FILE_CONTENT },
  btrfs: { file: true, formats: ["raw"], shared: false, contents: FILE_CONTENT },
  lvmthin: { file: false, formats: ["raw"], shared: false, contents: ["images", "rootdir"] },
  lvm: { file: false, formats: ["raw"], shared: false, contents: ["images", "rootdir"] },
  zfspool: { file: false, formats: ["raw", "subvol"], shared: false, contents: ["images", "rootdir"] },
  rbd: { file: false, formats: ["raw"], shared: true, contents: ["images", "rootdir"] },
};

/** Type info of a storage config (unknown types behave like `dir`). */
export function typeInfo(cfg: StorageConfig): StorageTypeInfo {
  return STORAGE_TYPES[String(cfg.type)] ?? STORAGE_TYPES.dir!;
}

/** True for shared storage (one copy visible on every node). */
export function isShared(cfg: StorageConfig): boolean {
  return typeInfo(cfg).shared || Number(cfg.shared ?? 0) === 1;
}

/** Storage id part of a volume id. */
export function storageOf(volid: string): string {
  return volid.slice(0, volid.indexOf(":"));
}

/** Registry key of `volid` as seen from `node`. */
export function volumeKey(sim: SimContext, volid: string, node: string): string {
  const cfg = sim.storage(storageOf(volid));
  return cfg && isShared(cfg) ? volid : `${node}/${volid}`;
}

/** The registered volume, if any. */
export function findVolume(sim: SimContext, volid: string, node: string): VolumeRecord | undefined {
  return sim.world.volumes[volumeKey(sim, volid, node)];
}

/** The storage config, dying with PVE's text when missing or disabled on `node`. */
export function usableStorage(sim: SimContext, id: string, node: string): StorageConfig {
  const cfg = sim.storage(id);
  if (!cfg) fail(`storage '${id}' does not exist`);
  if (Number(cfg.disable ?? 0) === 1) fail(`storage '${id}' is disabled`);
  const nodes = cfg.nodes ? String(cfg.nodes).split(",") : undefined;
  if (nodes && !nodes.includes(node)) fail(`storage '${id}' is not available on node '${node}'`);
  return cfg;
}

function register(sim: SimContext, v: Omit<VolumeRecord, "ctime" | "node">, node: string): VolumeRecord {
  const cfg = sim.storage(v.storage)!;
  const rec: VolumeRecord = { ...v, node: isShared(cfg) ? null : node, ctime: Math.floor(Date.now() / 1000) };
  sim.world.volumes[volumeKey(sim, v.volid, node)] = rec;
  return rec;
}

function freeIndex(sim: SimContext, storage: string, node: string, vmid: number): number {
  const used = new Set<number>();
  const re = new RegExp(`(?:^|/)(?:vm|base)-${vmid}-disk-(\\d+)(?:\\.\\w+)?$`);
  for (const v of Object.values(sim.world.volumes)) {
    if (v.storage !== storage || (v.node !== null && v.node !== node)) continue;
    const m = re.exec(v.volid.slice(v.volid.indexOf(":") + 1));
    if (m) used.add(Number(m[1]));
  }
  let n = 0;
  while (used.has(n)) n++;
  return n;
}

/**
 * Allocates `vm-<vmid>-disk-<n>` of `size` bytes; dies like PVE on bad storage/format. `content`
 * is what the storage must hold: `images` (VM disks, default) or `rootdir` (container volumes).
 */
export function allocateDisk(sim: SimContext, a: { storage: string; node: string; vmid: number; size: number; format?: string; content?: "images" | "rootdir" }): VolumeRecord {
  const cfg = usableStorage(sim, a.storage, a.node);
  const info = typeInfo(cfg);
  if (a.content === "rootdir" && !sim.contentOf(a.storage).includes("rootdir")) fail(`content type 'rootdir' is not available or configured on storage '${a.storage}'`);
  if (a.content !== "rootdir" && !sim.contentOf(a.storage).includes("images")) fail(`storage '${a.storage}' does not support vm images`);
  const format = a.format ?? (info.file ? String(cfg.format ?? "raw") : "raw");
  if (!info.formats.includes(format)) fail(`unsupported format '${format}'`);
  const n = freeIndex(sim, a.storage, a.node, a.vmid);
  const volid = info.file ? `${a.storage}:${a.vmid}/vm-${a.vmid}-disk-${n}.${format}` : `${a.storage}:vm-${a.vmid}-disk-${n}`;
  return register(sim, { volid, storage: a.storage, vmid: a.vmid, size: a.size, format }, a.node);
}

/** Allocates the cloud-init volume `vm-<vmid>-cloudinit` (4 MiB). */
export function allocateCloudinit(sim: SimContext, storage: string, node: string, vmid: number): VolumeRecord {
  const cfg = usableStorage(sim, storage, node);
  const info = typeInfo(cfg);
  const volid = info.file ? `${storage}:${vmid}/vm-${vmid}-cloudinit.qcow2` : `${storage}:vm-${vmid}-cloudinit`;
  return register(sim, { volid, storage, vmid, size: 4 * 1024 * 1024, format: info.file ? "qcow2" : "raw" }, node);
}

/** Frees a volume (no error when it is already gone). */
export function freeVolume(sim: SimContext, volid: string, node: string): void {
  delete sim.world.volumes[volumeKey(sim, volid, node)];
}

/** Whether the storage layer can snapshot this volume (block thin storages; qcow2 on file storages). */
export function canSnapshot(sim: SimContext, v: VolumeRecord): boolean {
  const cfg = sim.storage(v.storage);
  if (!cfg) return false;
  const t = String(cfg.type);
  if (["lvmthin", "zfspool", "rbd"].includes(t)) return true;
  return typeInfo(cfg).file && v.format === "qcow2";
}

/** Whether a linked clone can be made of this volume (base volumes that support snapshots). */
export function canLinkClone(sim: SimContext, v: VolumeRecord): boolean {
  return /(^|\/)base-\d+-disk-\d+/.test(v.volid.slice(v.volid.indexOf(":") + 1)) && canSnapshot(sim, v);
}

/** Renames `vm-<id>-disk-<n>` to `base-<id>-disk-<n>` (template conversion); returns the new volid. */
export function renameToBase(sim: SimContext, volid: string, node: string): string {
  const v = findVolume(sim, volid, node);
  if (!v) return volid;
  const renamed = volid.replace(/vm-(\d+)-disk-(\d+)/, "base-$1-disk-$2");
  if (renamed === volid) return volid;
  freeVolume(sim, volid, node);
  register(sim, { ...v, volid: renamed }, node);
  return renamed;
}

/** Full copy of a volume to `storage` for `vmid` (same size). */
export function copyVolume(sim: SimContext, src: VolumeRecord, a: { storage: string; node: string; vmid: number; format?: string; content?: "images" | "rootdir" }): VolumeRecord {
  const cfg = usableStorage(sim, a.storage, a.node);
  const format = a.format ?? (typeInfo(cfg).formats.includes(src.format) ? src.format : "raw");
  return allocateDisk(sim, { storage: a.storage, node: a.node, vmid: a.vmid, size: src.size, format, ...(a.content ? { content: a.content } : {}) });
}

/** Linked clone of a base volume: `store:base-100-disk-0/vm-101-disk-0` (block) or qcow2 backing (file). */
export function linkClone(sim: SimContext, base: VolumeRecord, node: string, vmid: number): VolumeRecord {
  const cfg = sim.storage(base.storage)!;
  const n = freeIndex(sim, base.storage, node, vmid);
  const baseName = base.volid.slice(base.volid.indexOf(":") + 1);
  const volid = typeInfo(cfg).file
    ? `${base.storage}:${baseName}/${vmid}/vm-${vmid}-disk-${n}.${base.format}`
    : `${base.storage}:${baseName}/vm-${vmid}-disk-${n}`;
  return register(sim, { volid, storage: base.storage, vmid, size: base.size, format: base.format }, node);
}

/**
 * Resolves an existing volume or ISO referenced by a drive. ISOs unknown to the registry on a storage
 * with `iso` content are registered on first use (the simulator has no upload endpoint).
 */
export function resolveVolume(sim: SimContext, volid: string, node: string): VolumeRecord {
  const known = findVolume(sim, volid, node);
  if (known) return known;
  const storage = storageOf(volid);
  const cfg = sim.storage(storage);
  if (!cfg) fail(`storage '${storage}' does not exist`);
  const iso = /^[^:]+:iso\/[^/]+\.(iso|img)$/i.exec(volid);
  if (iso && sim.contentOf(storage).includes("iso")) {
    let h = 0;
    for (const ch of volid) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return register(sim, { volid, storage, vmid: 0, size: (256 + (h % 2048)) * 1024 * 1024, format: "iso" }, node);
  }
  fail(`volume '${volid}' does not exist`);
}
