import type { ParamDef, ParamSchema } from "./schema.js";

/**
 * The QEMU config properties the simulator accepts (a subset of qemu-server's json_config_properties),
 * with how each behaves on a running VM. `hot` is `true` when always hot-pluggable, a `hotplug`
 * feature name (`network`, `disk`, `usb`, `cpu`, `memory`) when it depends on the VM's `hotplug`
 * option, and absent when a change needs a restart (stays in `[PENDING]`).
 */
export interface VmPropDef extends ParamDef {
  hot?: true | "network" | "disk" | "usb" | "cpu" | "memory";
}

const DNS_LABEL = "[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?";
const DNS_RE = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

/** `dns-name` format check with PVE's error text. */
export function checkDnsName(v: string): string | null {
  return DNS_RE.test(v) ? null : "invalid format - value does not look like a valid DNS name\n";
}

const URLENC_RE = /^[-%a-zA-Z0-9_.!~*'()]*$/;

const s = (extra: Partial<VmPropDef> = {}): VmPropDef => ({ type: "string", optional: true, ...extra });
const i = (extra: Partial<VmPropDef> = {}): VmPropDef => ({ type: "integer", optional: true, ...extra });
const b = (extra: Partial<VmPropDef> = {}): VmPropDef => ({ type: "boolean", optional: true, ...extra });
const n = (extra: Partial<VmPropDef> = {}): VmPropDef => ({ type: "number", optional: true, ...extra });

/** Fixed-name config properties. */
export const vmProps: Record<string, VmPropDef> = {
  acpi: b(), affinity: s(), agent: s({ hot: true }), arch: s({ enum: ["x86_64", "aarch64"] }), args: s(),
  audio0: s(), autostart: b(), balloon: i({ minimum: 0, hot: true }),
  bios: s({ enum: ["seabios", "ovmf"] }), boot: s(), bootdisk: s(),
  cicustom: s({ hot: true }), cipassword: s({ hot: true }),
  citype: s({ enum: ["configdrive2", "nocloud", "opennebula"], hot: true }), ciupgrade: b({ hot: true }),
  ciuser: s({ hot: true }), cores: i({ minimum: 1 }), cpu: s(), cpulimit: n({ minimum: 0, maximum: 128, hot: true }),
  cpuunits: i({ minimum: 1, maximum: 262144, hot: true }), description: s({ maxLength: 8192, hot: true }),
  efidisk0: s(), freeze: b(), hookscript: s({ hot: true }), hotplug: s({ hot: true }), hugepages: s(),
  keephugepages: b(), keyboard: s(), kvm: b(), localtime: b(),
  lock: s({ enum: ["backup", "clone", "create", "migrate", "rollback", "snapshot", "snapshot-delete", "suspending", "suspended"], hot: true }),
  machine: s(), memory: s({ pattern: /^(current=)?\d+$/, hot: "memory" }), migrate_downtime: n({ hot: true }),
  migrate_speed: i({ hot: true }), name: s({ check: checkDnsName, hot: true }), nameserver: s({ hot: true }),
  numa: b(), onboot: b({ hot: true }),
  ostype: s({ enum: ["other", "wxp", "w2k", "w2k3", "w2k8", "wvista", "win7", "win8", "win10", "win11", "l24", "l26", "solaris"] }),
  protection: b({ hot: true }), reboot: b(), rng0: s(),
  scsihw: s({ enum: ["lsi", "lsi53c810", "virtio-scsi-pci", "virtio-scsi-single", "megasas", "pvscsi"] }),
  searchdomain: s({ hot: true }), shares: i({ minimum: 0, maximum: 50000, hot: true }), smbios1: s(),
  sockets: i({ minimum: 1 }), spice_enhancements: s(),
  sshkeys: s({ hot: true, check: (v) => (URLENC_RE.test(v) ? null : `invalid format - invalid urlencoded string: ${v}\n`) }),
  startdate: s(), startup: s({ hot: true }), tablet: b({ hot: "usb" }), tags: s({ hot: true }), tdf: b(),
  template: b(), tpmstate0: s(), vcpus: i({ minimum: 1, hot: "cpu" }), vga: s(), vmgenid: s(),
  vmstatestorage: s({ hot: true }), watchdog: s(), meta: s(), parent: s(),
};

/** Indexed config properties (`scsi0`, `net3`, …) with their index ranges. */
export const vmFamilies: Array<{ re: RegExp; def: VmPropDef }> = [
  { re: /^scsi([0-9]|[12][0-9]|30)$/, def: s({ hot: "disk" }) },
  { re: /^virtio([0-9]|1[0-5])$/, def: s({ hot: "disk" }) },
  { re: /^sata[0-5]$/, def: s() },
  { re: /^ide[0-3]$/, def: s() },
  { re: /^net([0-9]|[12][0-9]|3[01])$/, def: s({ hot: "network" }) },
  { re: /^ipconfig([0-9]|[12][0-9]|3[01])$/, def: s({ hot: true }) },
  { re: /^unused([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$/, def: s({ hot: true }) },
  { re: /^serial[0-3]$/, def: s() },
  { re: /^parallel[0-2]$/, def: s() },
  { re: /^hostpci([0-9]|1[0-5])$/, def: s() },
  { re: /^usb[0-4]$/, def: s({ hot: "usb" }) },
  { re: /^numa[0-7]$/, def: s() },
  { re: /^virtiofs[0-9]$/, def: s() },
];

/** Drive keys, in the order PVE scans them when picking the default boot disk. */
export const DRIVE_RE = /^(ide[0-3]|sata[0-5]|scsi\d+|virtio\d+|efidisk0|tpmstate0)$/;

/** True for a drive key (`scsi0`, `ide2`, `efidisk0`, …) — not `unusedN`. */
export function isDriveKey(key: string): boolean {
  return DRIVE_RE.test(key);
}

/** The config property definition of `key`, or undefined when the key does not exist. */
export function vmPropDef(key: string): VmPropDef | undefined {
  return vmProps[key] ?? vmFamilies.find((f) => f.re.test(key))?.def;
}

/** Schema for the config keys accepted by create and update (`extra` adds endpoint-specific params). */
export function vmConfigSchema(extra: Record<string, ParamDef>): ParamSchema {
  const props: Record<string, ParamDef> = { ...extra };
  for (const [k, d] of Object.entries(vmProps)) if (!["meta", "parent"].includes(k)) props[k] = d;
  return { props, families: vmFamilies };
}

/**
 * Whether changing `key` on a running VM takes effect now, given the VM's `hotplug` option
 * (default `network,disk,usb`; `0` disables all, `1` means `network,disk,usb`).
 */
export function isHotpluggable(key: string, hotplug: string | number | undefined): boolean {
  const def = vmPropDef(key);
  if (!def?.hot) return false;
  if (def.hot === true) return true;
  if (/^(ide|sata)\d+$|^efidisk0$|^tpmstate0$/.test(key)) return false;
  const raw = hotplug === undefined ? "network,disk,usb" : String(hotplug);
  const features = raw === "1" ? ["network", "disk", "usb"] : raw === "0" ? [] : raw.split(",");
  return features.includes(def.hot);
}
