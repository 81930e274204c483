import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import { formatSize, normaliseBool, parsePropertyString, printPropertyString, type PropertyMap } from "./property-string.js";
import { FORMATS, mountType } from "./lxc-schema.js";
import { allocateDisk, findVolume, storageOf, usableStorage } from "./volumes.js";
import type { VolumeRecord } from "./world.js";

/**
 * How pve-container stores container options: `print_property_string` puts the default key first
 * (`volume` of rootfs/mpN), then the keys that are not optional (`mp=` of a mount point, `name=`
 * of a NIC), then the rest alphabetically, booleans as 0/1 and sizes via `format_size`
 * (`local-lvm:vm-105-disk-1,mp=/data,backup=1,size=8G`). NICs get a generated `hwaddr` and
 * `type=veth` (`parse_lxc_network`); `STORAGE:SIZE_GiB` allocates a new volume (`create_disks`).
 */

/** `STORAGE:SIZE_GiB` (PVE::LXC `$NEW_DISK_RE`). */
export const NEW_CT_DISK_RE = /^([^:\s]+):(\d+(?:\.\d+)?)$/;

function normaliseBools(map: PropertyMap, keys: Record<string, { bool?: boolean }>): void {
  for (const [k, v] of Object.entries(map)) if (keys[k]?.bool) map[k] = normaliseBool(v) ?? v;
}

/** A NIC as stored: `name=eth0,bridge=vmbr0,hwaddr=BC:24:11:…,ip=dhcp,type=veth`. */
export function canonicalCtNet(sim: SimContext, text: string): string {
  const m = parsePropertyString(text, null);
  normaliseBools(m, FORMATS.net!.keys);
  m.hwaddr = (m.hwaddr ?? "").toUpperCase() || sim.newMac();
  m.type = "veth";
  const name = m.name!;
  delete m.name;
  return printPropertyString(m, `name=${name}`);
}

/** Prints a parsed mount point (`volume` first, then `mp` for mount points, then the rest sorted). */
export function printMount(key: string, m: PropertyMap): string {
  const rest: PropertyMap = { ...m };
  const volume = rest.volume!;
  delete rest.volume;
  const mp = rest.mp;
  delete rest.mp;
  const head = key === "rootfs" || mp === undefined ? volume : `${volume},mp=${mp}`;
  return printPropertyString(rest, head);
}

/** Where a new container volume goes, and whether the storage may hold container volumes. */
function checkRootdir(sim: SimContext, storage: string, node: string, create: boolean): void {
  usableStorage(sim, storage, node);
  if (!sim.contentOf(storage).includes("rootdir")) {
    fail(create ? `storage '${storage}' does not support container directories` : `storage '${storage}' does not allow content type 'rootdir' (Container)`);
  }
}

/** Context of a mount point rewrite: the container and, on create, the default `storage`. */
export interface CtMountContext {
  sim: SimContext;
  vmid: number;
  node: string;
  create: boolean;
  /** Volumes allocated by this rewrite (freed again by the caller when the operation fails). */
  allocated: VolumeRecord[];
}

/**
 * Rewrites a rootfs/mpN value as stored: a `STORAGE:SIZE` volume is allocated (`vm-<vmid>-disk-<n>`,
 * raw on file storages) and gets `size=`; an existing volume gets its real size; binds and devices
 * are printed as given. Dies like PVE on a storage without `rootdir` content.
 */
export function canonicalMount(c: CtMountContext, key: string, text: string): string {
  const m = parsePropertyString(text, "volume");
  normaliseBools(m, FORMATS.mp!.keys);
  const volume = m.volume!;
  if (mountType(volume) !== "volume") {
    delete m.size;
    return printMount(key, m);
  }
  const fresh = NEW_CT_DISK_RE.exec(volume);
  if (fresh) {
    checkRootdir(c.sim, fresh[1]!, c.node, c.create);
    const bytes = Math.floor(Number(fresh[2]) * 1024) * 1024 * 1024;
    const vol = allocateDisk(c.sim, { storage: fresh[1]!, node: c.node, vmid: c.vmid, size: bytes, format: "raw", content: "rootdir" });
    c.allocated.push(vol);
    m.volume = vol.volid;
    m.size = formatSize(vol.size);
    return printMount(key, m);
  }
  const vol = findVolume(c.sim, volume, c.node);
  if (!vol) {
    if (!c.sim.storage(storageOf(volume))) fail(`storage '${storageOf(volume)}' does not exist`);
    fail(`volume '${volume}' does not exist`);
  }
  m.size = formatSize(vol.size);
  return printMount(key, m);
}

/** Normalised tag list (`get_unique_tags`): split on `,; ` and whitespace, lower-cased, de-duplicated, sorted, `;`-joined. */
export function ctTags(value: string): string {
  return [...new Set(value.split(/[,;\s]+/).filter(Boolean).map((t) => t.toLowerCase()))].sort().join(";");
}

/**
 * A description as the config file keeps it: one `#` comment line per line, so trailing empty
 * lines are lost; `GET …/config` returns each line with its newline (the text always ends in `\n`).
 */
export function storedDescription(text: string): string {
  return text.replace(/\n+$/, "");
}
