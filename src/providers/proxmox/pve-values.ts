/**
 * Reading and writing PVE config values on the client side: property strings (`file,key=value`),
 * sizes (`32G`, `1T`, bytes), NIC lines and drive keys. Parsing is lenient (PVE already validated
 * what it stores); printing follows PVE's canonical order so re-sent values are no-ops.
 */

/** Parsed property string; a bare first part is stored under `defaultKey`. */
export function parseProps(text: string, defaultKey: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of String(text).split(",")) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf("=");
    if (eq < 0) {
      if (defaultKey !== null && out[defaultKey] === undefined) out[defaultKey] = part;
      continue;
    }
    out[part.slice(0, eq).trim()] = part.slice(eq + 1);
  }
  return out;
}

const UNIT: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** A PVE size (`32G`, `1T`, `4M`, `512K`, plain bytes) in MiB (fractions kept); null when unreadable. */
export function sizeMiB(text: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec((text ?? "").trim());
  if (!m) return null;
  const bytes = Number(m[1]) * (m[2] ? UNIT[m[2]]! : 1);
  return Math.round((bytes / 1024 ** 2) * 1000) / 1000;
}

/** NIC models PVE knows (a net line's first part is `model=MAC`). */
export const NIC_MODELS = ["e1000", "e1000e", "e1000-82540em", "e1000-82544gc", "e1000-82545em", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "rtl8139", "virtio", "vmxnet3"];

/** A parsed `netN` value. */
export interface NetLine {
  model: string;
  mac: string;
  /** Every other option (bridge, tag, firewall, …) as stored. */
  rest: Record<string, string>;
}

/** Parses `virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,tag=10` (also `model=…,macaddr=…`). */
export function parseNet(text: string): NetLine {
  const p = parseProps(text, "model");
  const model = p.model && NIC_MODELS.includes(p.model) ? p.model : (NIC_MODELS.find((m) => p[m] !== undefined) ?? p.model ?? "virtio");
  const mac = (p.macaddr ?? p[model] ?? "").toUpperCase();
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) if (k !== "model" && k !== "macaddr" && !NIC_MODELS.includes(k)) rest[k] = v;
  return { model, mac, rest };
}

/** Prints a NIC as PVE stores it: `model=MAC` (or bare model when no MAC yet), then options alphabetically. */
export function printNet(n: NetLine): string {
  const head = n.mac ? `${n.model}=${n.mac}` : n.model;
  const keys = Object.keys(n.rest).filter((k) => n.rest[k] !== undefined && n.rest[k] !== "").sort();
  return [head, ...keys.map((k) => `${k}=${n.rest[k]}`)].join(",");
}

/** Drive keys that can hold VM disks or CD-ROMs. */
export const DRIVE_KEY = /^(ide[0-3]|sata[0-5]|scsi\d+|virtio\d+)$/;

/** A parsed drive value. */
export interface DriveValue {
  file: string;
  cdrom: boolean;
  cloudinit: boolean;
  size: string | undefined;
}

/** Parses a drive value (`local-lvm:vm-100-disk-0,size=32G`, `local:iso/x.iso,media=cdrom`). */
export function parseDrive(text: string): DriveValue {
  const p = parseProps(text, "file");
  const file = p.file ?? "";
  const cloudinit = /(^|[:/])vm-\d+-cloudinit(\.\w+)?$/.test(file) || /:cloudinit$/.test(file);
  return { file, cdrom: p.media === "cdrom", cloudinit, size: p.size };
}

/** The storage id of a volume id (`local-lvm:vm-100-disk-0` → `local-lvm`). */
export function storageOfVolume(volid: string): string {
  const i = volid.indexOf(":");
  return i > 0 ? volid.slice(0, i) : "";
}

/** A new-disk allocation value: `STORAGE:SIZE_GiB` (fractional GiB allowed, as PVE reads it). */
export function newDiskValue(storage: string, sizeMiB: number, extra = ""): string {
  return `${storage}:${String(sizeMiB / 1024)}${extra}`;
}
