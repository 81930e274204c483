import type { VolumeRecord, WorldData } from "./world.js";

/**
 * Container OS templates (`vztmpl` content): the appliance images `pveam download` puts on a
 * storage with `vztmpl` content (`local:vztmpl/<file>`), and what pve-container reads from them
 * (the OS type it detects after unpacking). Also what each volume lists as in storage content.
 */

/** Templates present on every node's `local` storage in a fresh world (names as `pveam available` lists them). */
export const SEED_TEMPLATES: Array<[string, number]> = [
  ["debian-12-standard_12.7-1_amd64.tar.zst", 126_867_812],
  ["ubuntu-24.04-standard_24.04-2_amd64.tar.zst", 141_512_340],
  ["alpine-3.20-default_20240908_amd64.tar.xz", 3_211_528],
];

/** The volume `format` PVE lists for a template file (`tzst`, `txz`, `tgz`), or undefined when it is not one. */
export function templateFormat(file: string): string | undefined {
  if (/\.tar\.zst$/.test(file)) return "tzst";
  if (/\.tar\.xz$/.test(file)) return "txz";
  if (/\.tar\.gz$|\.tgz$/.test(file)) return "tgz";
  if (/\.tar$/.test(file)) return "tar";
  return undefined;
}

/** Adds the seed templates to `node`'s `local` storage. */
export function seedContainerTemplates(world: WorldData, node: string, ctime: number): void {
  for (const [file, size] of SEED_TEMPLATES) {
    const volid = `local:vztmpl/${file}`;
    world.volumes[`${node}/${volid}`] = { volid, storage: "local", node, vmid: 0, size, format: templateFormat(file)!, ctime };
  }
}

const OSTYPES = ["debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos"];

/** The `ostype` pve-container's setup detects for a template (by its distribution prefix; `rockylinux`/`almalinux` are centos). */
export function ostypeOf(volid: string): string {
  const file = volid.slice(volid.lastIndexOf("/") + 1).toLowerCase();
  if (/^(rockylinux|almalinux|centos)/.test(file)) return "centos";
  return OSTYPES.find((t) => file.startsWith(t)) ?? "unmanaged";
}

/** The content type a volume is listed under: `iso`, `vztmpl`, `rootdir` (a container's) or `images`. */
export function volumeContent(world: WorldData, v: VolumeRecord): string {
  if (v.format === "iso") return "iso";
  if (v.format === "snippet") return "snippets";
  if (v.volid.includes(":vztmpl/")) return "vztmpl";
  return world.vms[v.vmid]?.type === "lxc" ? "rootdir" : "images";
}
