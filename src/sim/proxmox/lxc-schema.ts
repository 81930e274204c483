import { parsePropertyString, normaliseBool, parseSize } from "./property-string.js";
import type { ParamDef, ParamSchema } from "./schema.js";
import { checkDnsName } from "./vm-schema.js";

/**
 * The container config properties (pve-container `PVE::LXC::Config` `$confdesc`, PVE 9) the
 * simulator accepts, the property-string formats of `rootfs`, `mpN`, `netN` and `features`, and
 * which options a running container takes at once ("fastplug": written straight away; "hotplug":
 * applied to the running container) — everything else waits in `[pve:pending]` for the next start.
 */

const s = (extra: Partial<ParamDef> = {}): ParamDef => ({ type: "string", optional: true, ...extra });
const i = (extra: Partial<ParamDef> = {}): ParamDef => ({ type: "integer", optional: true, ...extra });
const b = (): ParamDef => ({ type: "boolean", optional: true });

/** Fixed-name container options. */
export const ctProps: Record<string, ParamDef> = {
  arch: s({ enum: ["amd64", "i386", "arm64", "armhf", "riscv32", "riscv64"] }), cmode: s({ enum: ["shell", "console", "tty"] }), console: b(),
  cores: i({ minimum: 1, maximum: 8192 }), cpulimit: { type: "number", optional: true, minimum: 0, maximum: 8192 }, cpuunits: i({ minimum: 0, maximum: 500000 }),
  debug: b(), description: s({ maxLength: 8192 }), entrypoint: s(), env: s(), features: s(), hookscript: s(),
  hostname: s({ maxLength: 255, check: checkDnsName }),
  lock: s({ enum: ["backup", "create", "destroyed", "disk", "fstrim", "migrate", "mounted", "rollback", "snapshot", "snapshot-delete"] }),
  memory: i({ minimum: 16 }), nameserver: s(), onboot: b(),
  ostype: s({ enum: ["debian", "devuan", "ubuntu", "centos", "fedora", "opensuse", "archlinux", "alpine", "gentoo", "nixos", "unmanaged"] }),
  protection: b(), rootfs: s(), searchdomain: s(), startup: s(), swap: i({ minimum: 0 }), tags: s(), template: b(), timezone: s(),
  tty: i({ minimum: 0, maximum: 6 }), unprivileged: b(),
};

/** Indexed container options: 256 mount points and unused volumes, 32 NICs, 256 passthrough devices. */
export const ctFamilies: Array<{ re: RegExp; def: ParamDef }> = [
  { re: /^mp([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$/, def: s() },
  { re: /^unused([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$/, def: s() },
  { re: /^net([0-9]|[12][0-9]|3[01])$/, def: s() },
  { re: /^dev([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$/, def: s() },
];

/** True when `key` is a container option. */
export function isCtOption(key: string): boolean {
  return ctProps[key] !== undefined || ctFamilies.some((f) => f.re.test(key));
}

/** The schema of create/update: every option plus the endpoint's own parameters. */
export function ctConfigSchema(extra: Record<string, ParamDef>): ParamSchema {
  return { props: { ...extra, ...ctProps }, families: ctFamilies };
}

/** Options a running container takes at once (`$LXC_FASTPLUG_OPTIONS`). */
export const FASTPLUG = new Set(["description", "onboot", "startup", "protection", "hostname", "hookscript", "cores", "tags", "lock"]);

/** Options applied to a running container by `vmconfig_hotplug_pending` (mount points and devices only when new). */
export function isHotSet(key: string): boolean {
  return ["cpulimit", "cpuunits", "memory", "swap"].includes(key) || /^(net|mp|dev)\d+$/.test(key);
}

/** Options whose removal applies to a running container at once. */
export function isHotDelete(key: string): boolean {
  return FASTPLUG.has(key) || ["swap", "cpulimit", "cpuunits"].includes(key) || /^(net|unused)\d+$/.test(key);
}

/** One key of a property-string format. */
interface SubDef {
  required?: boolean;
  bool?: boolean;
  int?: [number, number];
  num?: boolean;
  enum?: string[];
  pattern?: RegExp;
  check?: (v: string) => string | null;
}

/** A property-string format: its default (key-less) key and its keys. */
interface PropFormat {
  defaultKey: string | null;
  keys: Record<string, SubDef>;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const ipv4Cidr = (v: string) => {
  const [addr, bits, extra] = v.split("/");
  return extra === undefined && bits !== undefined && IPV4.test(addr ?? "") && /^\d+$/.test(bits) && Number(bits) <= 32;
};
const ipv6 = (v: string) => /^[0-9a-f:.]+$/i.test(v) && v.includes(":");

/** `mp=` paths (pve-lxc-mp-string): no `/./`, `/../`, trailing `/.` or `/..`, leading `../`. */
export function checkMpPath(v: string): string | null {
  return /\/\.\.?\/|\/\.\.?$|^\.\.\//.test(v) ? `${v} contains illegal character sequences` : null;
}

const SIZE = (v: string) => (parseSize(v) === null ? "unable to parse size" : null);
const ROOTFS_KEYS: Record<string, SubDef> = {
  volume: { required: true, check: checkMpPath }, size: { check: SIZE }, acl: { bool: true }, idmap: {}, ro: { bool: true }, quota: { bool: true },
  replicate: { bool: true }, shared: { bool: true }, mountoptions: { pattern: /^(discard|lazytime|noatime|nodev|noexec|nosuid)(;(discard|lazytime|noatime|nodev|noexec|nosuid))*$/ },
};

/** Formats of the property-string options. */
export const FORMATS: Record<string, PropFormat> = {
  rootfs: { defaultKey: "volume", keys: ROOTFS_KEYS },
  mp: { defaultKey: "volume", keys: { ...ROOTFS_KEYS, mp: { required: true, check: checkMpPath }, backup: { bool: true }, keepattrs: { bool: true } } },
  net: {
    defaultKey: null,
    keys: {
      type: { enum: ["veth"] }, name: { required: true, pattern: /^[-_.\w\d]+$/ }, bridge: { pattern: /^[-_.\w\d]+$/ },
      hwaddr: { pattern: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i, check: (v) => ((parseInt(v.slice(0, 2), 16) & 1) === 1 ? "multicast mac addresses are not allowed" : null) },
      mtu: { int: [64, 65535] }, ip: { check: (v) => (v === "dhcp" || v === "manual" || ipv4Cidr(v) ? null : "value does not look like a valid ipv4 network configuration") },
      gw: { check: (v) => (IPV4.test(v) ? null : "value does not look like a valid IPv4 address") },
      ip6: { check: (v) => (["auto", "dhcp", "manual"].includes(v) || (ipv6(v.split("/")[0] ?? "") && /^[^/]+\/\d+$/.test(v)) ? null : "value does not look like a valid ipv6 network configuration") },
      gw6: { check: (v) => (ipv6(v) ? null : "value does not look like a valid IPv6 address") },
      firewall: { bool: true }, tag: { int: [1, 4094] }, trunks: { pattern: /^\d+(;\d+)*$/ }, rate: { num: true }, link_down: { bool: true }, "host-managed": { bool: true },
    },
  },
  features: {
    defaultKey: null,
    keys: { mount: { pattern: /^[a-zA-Z0-9_; ]+$/ }, nesting: { bool: true }, keyctl: { bool: true }, fuse: { bool: true }, mknod: { bool: true }, force_rw_sys: { bool: true } },
  },
};

/** The format of option `key`, if it is a property string. */
export function formatOf(key: string): PropFormat | undefined {
  if (key === "rootfs") return FORMATS.rootfs;
  if (/^mp\d+$/.test(key)) return FORMATS.mp;
  if (/^net\d+$/.test(key)) return FORMATS.net;
  if (key === "features") return FORMATS.features;
  return undefined;
}

function subError(key: string, sub: string, msg: string): string {
  return `invalid format - format error\n${key}.${sub}: ${msg}\n`;
}

/** Checks one option value against its format; the 400 field message (JSONSchema.pm wording) or null. */
export function checkCtValue(key: string, value: string | number): string | null {
  const text = String(value);
  if (key === "tags") {
    const bad = text.split(/[,;\s]+/).filter(Boolean).find((t) => !/^[a-z0-9_][a-z0-9_\-+.]*$/i.test(t));
    return bad === undefined ? null : `invalid format - invalid characters in tag '${bad}'\n`;
  }
  const fmt = formatOf(key);
  if (!fmt) return null;
  let map: Record<string, string>;
  try {
    map = parsePropertyString(text, fmt.defaultKey);
  } catch (err) {
    return `invalid format - format error\n${key}: ${(err as Error).message}\n`;
  }
  for (const [sub, v] of Object.entries(map)) {
    const def = fmt.keys[sub];
    if (!def) return subError(key, sub, "property is not defined in schema and the schema does not allow additional properties");
    if (def.bool && normaliseBool(v) === null) return subError(key, sub, `type check ('boolean') failed - got '${v}'`);
    if (def.int) {
      if (!/^-?\d+$/.test(v)) return subError(key, sub, `type check ('integer') failed - got '${v}'`);
      if (Number(v) < def.int[0]) return subError(key, sub, `value must have a minimum value of ${def.int[0]}`);
      if (Number(v) > def.int[1]) return subError(key, sub, `value must have a maximum value of ${def.int[1]}`);
    }
    if (def.num && !/^\d+(\.\d+)?$/.test(v)) return subError(key, sub, `type check ('number') failed - got '${v}'`);
    if (def.enum && !def.enum.includes(v)) return subError(key, sub, `value '${v}' does not have a value in the enumeration '${def.enum.join(", ")}'`);
    if (def.pattern && !def.pattern.test(v)) return subError(key, sub, "value does not match the regex pattern");
    const err = def.check?.(v);
    if (err) return subError(key, sub, err);
  }
  for (const [sub, def] of Object.entries(fmt.keys)) if (def.required && map[sub] === undefined) return subError(key, sub, "property is missing and it is not optional");
  return null;
}

/** What a mount point's volume is (pve-container `classify_mountpoint`): a storage volume, a bind of a host path, or a device. */
export function mountType(volume: string): "volume" | "bind" | "device" {
  if (!volume.startsWith("/")) return "volume";
  return volume.startsWith("/dev/") ? "device" : "bind";
}
