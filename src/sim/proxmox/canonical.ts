import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import { formatSize, normaliseBool, parsePropertyString, printPropertyString, type PropertyMap } from "./property-string.js";
import { isDriveKey } from "./vm-schema.js";
import { allocateCloudinit, allocateDisk, resolveVolume } from "./volumes.js";
import type { ConfValue } from "./world.js";

/**
 * The server-side rewriting of config values: what PVE stores (and later returns) for what a client
 * sent. `checkValue` is the synchronous format validation (its errors become 400 field errors);
 * `canonicalValue` does the rewriting, including disk allocation (its errors are plain `die`s).
 */

/** NIC models PVE accepts as `model` (and as `model=MAC`). */
export const NET_MODELS = ["e1000", "e1000e", "e1000-82540em", "e1000-82544gc", "e1000-82545em", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "rtl8139", "virtio", "vmxnet3"];
const NET_KEYS = ["model", "macaddr", "bridge", "firewall", "link_down", "mtu", "queues", "rate", "tag", "trunks", ...NET_MODELS];
const NET_BOOLS = ["firewall", "link_down"];
const DRIVE_KEYS = ["file", "aio", "backup", "cache", "cyls", "detect_zeroes", "discard", "efitype", "format", "heads", "import-from", "iops", "iops_max", "iops_rd", "iops_wr", "iothread", "mbps", "mbps_max", "mbps_rd", "mbps_wr", "media", "model", "pre-enrolled-keys", "product", "queues", "replicate", "rerror", "ro", "secs", "serial", "shared", "size", "snapshot", "ssd", "trans", "vendor", "version", "werror", "wwn"];
const DRIVE_BOOLS = ["backup", "detect_zeroes", "iothread", "pre-enrolled-keys", "replicate", "ro", "shared", "snapshot", "ssd"];
const DRIVE_ENUMS: Record<string, string[]> = { media: ["disk", "cdrom"], discard: ["on", "ignore"], aio: ["native", "threads", "io_uring"], cache: ["none", "writethrough", "writeback", "unsafe", "directsync"], format: ["raw", "cow", "qcow", "qed", "qcow2", "vmdk", "cloop"] };
const TAG_RE = /^[a-z0-9_][a-z0-9_\-+.]*$/i;
/** Property-string options and their default (key-less) key. */
const PROPSTR_DEFAULTS: Record<string, string | null> = { memory: "current", agent: "enabled", vga: "type", cpu: "cputype", startup: null, smbios1: null, meta: null, rng0: "source", watchdog: "model", audio0: "device", spice_enhancements: null, boot: "legacy" };
const NEW_DISK_RE = /^(?:([^/:\s]+):)?(\d+(?:\.\d+)?)$/;
const CLOUDINIT_RE = /^([^/:\s]+):cloudinit$/;

function propError(key: string, err: unknown): string {
  return `invalid format - format error\n${key}: ${err instanceof Error ? err.message : String(err)}\n`;
}

function subkeyCheck(key: string, map: PropertyMap, allowed: string[], bools: string[], enums: Record<string, string[]> = {}): string | null {
  for (const [k, v] of Object.entries(map)) {
    if (!allowed.includes(k)) return `invalid format - format error\n${key}.${k}: property is not defined in schema and the schema does not allow additional properties\n`;
    if (bools.includes(k) && normaliseBool(v) === null) return `invalid format - format error\n${key}.${k}: type check ('boolean') failed - got '${v}'\n`;
    const e = enums[k];
    if (e && !e.includes(v)) return `invalid format - format error\n${key}.${k}: value '${v}' does not have a value in the enumeration '${e.join(", ")}'\n`;
  }
  return null;
}

/** Normalised tag list (`pve-tag-list`): split on `,; ` whitespace, lower-cased, de-duplicated, sorted, `;`-joined. */
export function canonicalTags(value: string): string {
  const tags = value.split(/[,;\s]+/).filter(Boolean).map((t) => t.toLowerCase());
  return [...new Set(tags)].sort().join(";");
}

/** Synchronous format check of one config value; returns the 400 field message or null. */
export function checkValue(key: string, value: ConfValue): string | null {
  const text = String(value);
  try {
    if (key === "tags") {
      const bad = text.split(/[,;\s]+/).filter(Boolean).find((t) => !TAG_RE.test(t));
      return bad === undefined ? null : `invalid format - invalid characters in tag '${bad}'\n`;
    }
    if (/^net\d+$/.test(key)) {
      const m = parsePropertyString(text, "model");
      const err = subkeyCheck(key, m, NET_KEYS, NET_BOOLS);
      if (err) return err;
      const model = m.model ?? NET_MODELS.find((x) => m[x] !== undefined);
      if (!model) return `invalid format - format error\n${key}.model: property is missing and it is not optional\n`;
      if (!NET_MODELS.includes(model)) return `invalid format - format error\n${key}.model: value '${model}' does not have a value in the enumeration '${NET_MODELS.join(", ")}'\n`;
      const mac = m.macaddr ?? m[model];
      if (mac !== undefined && mac !== "" && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) return `invalid format - format error\n${key}.macaddr: value does not match the regex pattern\n`;
      if (mac && (parseInt(mac.slice(0, 2), 16) & 1) === 1) return `invalid format - format error\n${key}.macaddr: multicast mac addresses are not allowed\n`;
      return null;
    }
    if (isDriveKey(key)) {
      const m = parsePropertyString(text, "file");
      if (m.file === undefined) return `invalid format - format error\n${key}.file: property is missing and it is not optional\n`;
      return subkeyCheck(key, m, DRIVE_KEYS, DRIVE_BOOLS, DRIVE_ENUMS);
    }
    if (/^ipconfig\d+$/.test(key)) return subkeyCheck(key, parsePropertyString(text, null), ["ip", "gw", "ip6", "gw6"], []);
    if (/^unused\d+$/.test(key)) return null;
    const dk = PROPSTR_DEFAULTS[key];
    if (dk !== undefined) parsePropertyString(text, dk);
    return null;
  } catch (err) {
    return propError(key, err);
  }
}

/** Context of a rewrite: the guest, and the create/update `storage` parameter for bare sizes. */
export interface CanonicalContext {
  sim: SimContext;
  vmid: number;
  node: string;
  storage?: string;
}

function canonicalNet(c: CanonicalContext, text: string): string {
  const m = parsePropertyString(text, "model");
  const model = m.model ?? NET_MODELS.find((x) => m[x] !== undefined)!;
  const mac = (m.macaddr ?? m[model] ?? "").toUpperCase() || c.sim.newMac();
  const rest: PropertyMap = {};
  for (const [k, v] of Object.entries(m)) {
    if (k === "model" || k === "macaddr" || NET_MODELS.includes(k)) continue;
    rest[k] = NET_BOOLS.includes(k) ? normaliseBool(v)! : v;
  }
  return printPropertyString(rest, `${model}=${mac}`);
}

function canonicalDrive(c: CanonicalContext, key: string, text: string): string {
  const d = parsePropertyString(text, "file");
  for (const k of DRIVE_BOOLS) if (d[k] !== undefined) d[k] = normaliseBool(d[k]!)!;
  let file = d.file!;
  const format = d.format;
  delete d.format;
  delete d.file;
  const ci = CLOUDINIT_RE.exec(file);
  const fresh = NEW_DISK_RE.exec(file);
  if (ci) {
    file = allocateCloudinit(c.sim, ci[1]!, c.node, c.vmid).volid;
    d.media = "cdrom";
    delete d.size;
  } else if (fresh && d.media !== "cdrom") {
    const storage = fresh[1] ?? c.storage;
    if (!storage) fail(`${key}: missing storage for new disk '${file}'`);
    let size = Math.round(Number(fresh[2]) * 1024 ** 3);
    if (key === "efidisk0") size = d.efitype === "4m" ? 4 * 1024 * 1024 : 128 * 1024;
    if (key === "tpmstate0") size = 4 * 1024 * 1024;
    const from = d["import-from"];
    delete d["import-from"];
    if (from !== undefined) size = from.startsWith("/") ? 2 * 1024 ** 3 : resolveVolume(c.sim, from, c.node).size;
    const vol = allocateDisk(c.sim, { storage, node: c.node, vmid: c.vmid, size, ...(format ? { format } : {}) });
    file = vol.volid;
    d.size = formatSize(vol.size);
  } else if (file === "none" || file === "cdrom" || file.startsWith("/")) {
    if (!file.startsWith("/")) d.media = "cdrom";
  } else {
    const vol = resolveVolume(c.sim, file, c.node);
    d.size = formatSize(vol.size);
    if (vol.format === "iso") d.media = "cdrom";
  }
  return printPropertyString(d, file);
}

/**
 * Rewrites `value` as PVE stores it: MACs added to NICs, drives allocated and printed with `size=`
 * (no `format=`), tags normalised, description with trailing whitespace stripped, property strings
 * printed canonically. Allocation failures die (HTTP 500 or task error).
 */
export function canonicalValue(c: CanonicalContext, key: string, value: ConfValue): ConfValue {
  if (typeof value === "number") return value;
  if (key === "tags") return canonicalTags(value);
  if (key === "description") return value.replace(/\s+$/, "");
  if (/^net\d+$/.test(key)) return canonicalNet(c, value);
  if (isDriveKey(key)) return canonicalDrive(c, key, value);
  if (/^ipconfig\d+$/.test(key)) return printPropertyString(parsePropertyString(value, null), null);
  const dk = PROPSTR_DEFAULTS[key];
  if (dk !== undefined && key !== "boot") {
    const m = parsePropertyString(value, dk);
    const first = dk !== null && m[dk] !== undefined ? m[dk]! : null;
    if (key === "agent" && first !== null) return printPropertyString(m, normaliseBool(first) ?? first, [dk!]);
    return printPropertyString(m, first, dk ? [dk] : []);
  }
  return value;
}
