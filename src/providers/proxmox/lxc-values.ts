import { parseProps, sizeMiB, storageOfVolume } from "./pve-values.js";
import type { CtFeatures } from "./lxc-spec.js";

/**
 * Container option strings on the client side (pve-container `LXC/Config.pm` formats): mount
 * points (`local-lvm:vm-105-disk-1,mp=/data,backup=1,size=8G`, binds `/mnt/pve/nas/x,mp=/x,ro=1`),
 * NICs (`name=eth0,bridge=vmbr0,hwaddr=…,ip=dhcp,tag=10,type=veth`) and `features`
 * (`keyctl=1,nesting=1`). Printing follows PVE's order (volume, then `mp`/`name`, then the rest
 * alphabetically), so re-sent values equal what PVE stores and are no-ops.
 */

/** A parsed rootfs/mpN value. `bind` is true for a host path (a `/…` volume that is not a device). */
export interface MountValue {
  volume: string;
  bind: boolean;
  mp: string | undefined;
  size: number | null;
  storage: string;
  /** Every option as stored (ro, backup, size, acl, …). */
  opts: Record<string, string>;
}

/** Parses a rootfs/mpN value. */
export function parseMount(text: string): MountValue {
  const p = parseProps(text, "volume");
  const volume = p.volume ?? "";
  const opts: Record<string, string> = { ...p };
  delete opts.volume;
  return { volume, bind: volume.startsWith("/"), mp: p.mp, size: sizeMiB(p.size), storage: volume.startsWith("/") ? "" : storageOfVolume(volume), opts };
}

/** True for PVE's boolean spellings of true. */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(1|yes|on|true)$/i.test(v);
}

/** Prints a mount point value: volume, `mp=` (mount points only), then the other options sorted. */
export function printMount(volume: string, opts: Record<string, string | undefined>, withMp: boolean): string {
  const keys = Object.keys(opts).filter((k) => k !== "mp" && opts[k] !== undefined && opts[k] !== "").sort();
  const head = withMp && opts.mp !== undefined ? `${volume},mp=${opts.mp}` : volume;
  return [head, ...keys.map((k) => `${k}=${opts[k]}`)].join(",");
}

/** Prints a NIC value: `name=…` first, then the other options sorted. */
export function printCtNet(opts: Record<string, string | undefined>): string {
  const keys = Object.keys(opts).filter((k) => k !== "name" && opts[k] !== undefined && opts[k] !== "").sort();
  return [`name=${opts.name ?? "eth0"}`, ...keys.map((k) => `${k}=${opts[k]}`)].join(",");
}

/** Parses a NIC value into its options. */
export function parseCtNet(text: string): Record<string, string> {
  return parseProps(text, null);
}

/** Parses `features` into the flags vmsync manages (others are ignored). */
export function parseFeatures(text: string | undefined): CtFeatures {
  const p = parseProps(text ?? "", null);
  const mount = (p.mount ?? "").split(/[;\s]+/).filter(Boolean);
  return { fuse: isTrue(p.fuse), keyctl: isTrue(p.keyctl), mknod: isTrue(p.mknod), nesting: isTrue(p.nesting), mount: [...new Set(mount)].sort() };
}

/**
 * The `features` value for the desired flags, keeping flags vmsync does not manage
 * (`force_rw_sys`) from `current`; undefined when nothing is set (the option is deleted).
 */
export function featuresValue(f: CtFeatures, current: string | undefined): string | undefined {
  const keep = parseProps(current ?? "", null);
  const out: Record<string, string> = {};
  if (keep.force_rw_sys !== undefined) out.force_rw_sys = keep.force_rw_sys;
  for (const k of ["fuse", "keyctl", "mknod", "nesting"] as const) if (f[k]) out[k] = "1";
  if (f.mount.length) out.mount = f.mount.join(";");
  const keys = Object.keys(out).sort();
  return keys.length ? keys.map((k) => `${k}=${out[k]}`).join(",") : undefined;
}
