/**
 * The canonical spec of a TrueNAS VM — the one shape both the manifests (here) and the server
 * (vm-observe.ts) are brought into, so that only real differences show in a plan:
 *
 *     { name, dataset, description, vcpus, cores, threads, memory (MiB), bootloader, autostart,
 *       power: "running"|"stopped", disks: [{name, size (MiB), bus: VIRTIO|AHCI}],
 *       nics: [{bridge, model: VIRTIO|E1000, mac?}], iso: path|null,
 *       display: {type: SPICE|VNC, bind, port?, password: "env:NAME"|"file:PATH"|null} | null }
 *
 * Mapping: cpu.sockets → vcpus, cpu.cores → cores, cpu.threads → threads (each default 1);
 * disk bus virtio/scsi → VIRTIO (TrueNAS has no SCSI bus; VIRTIO is its paravirtual one), ahci/sata
 * → AHCI; NIC model virtio → VIRTIO, e1000 → E1000 (others are passed upper-cased and refused by
 * TrueNAS with its own message); bootloader default UEFI, autostart default true (TrueNAS's).
 * A NIC without a manifest MAC has no `mac` key, so the MAC the server generated (and vmsync pinned
 * at creation) is never compared. The display password is represented by its reference, never its
 * value; observe reports the reference only when the server's password equals that secret.
 */
import type { DesiredProvider, DesiredResource } from "../../manifest/model.js";
import type { VirtualMachineSpec } from "../../manifest/schema/index.js";
import { sizeToMiB } from "../../manifest/units.js";
import { truenasVmName } from "../../manifest/names.js";
import { vmDataset } from "./names.js";

/** One disk: a zvol `<dataset>/<name>`. */
export interface CanonDisk {
  name: string;
  size: number;
  bus: string;
}

/** One NIC. `mac` only when pinned in the manifest (or observed). */
export interface CanonNic {
  bridge: string | null;
  model: string;
  mac?: string;
}

/** The display device. `password` is a secret reference string (see module comment). */
export interface CanonDisplay {
  type: string;
  bind: string;
  port?: number | null;
  password: string | null;
}

/** The canonical VM spec (see module comment). */
export interface CanonVm {
  name: string;
  dataset: string | null;
  description: string;
  vcpus: number;
  cores: number;
  threads: number;
  memory: number | null;
  bootloader: string;
  autostart: boolean;
  power: string;
  disks: CanonDisk[];
  nics: CanonNic[];
  iso: string | null;
  display: CanonDisplay | null;
}

/** TrueNAS disk type of a manifest bus. */
export function diskType(bus: string | undefined): string {
  return bus === "ahci" || bus === "sata" ? "AHCI" : "VIRTIO";
}

/**
 * The string that stands for a secret reference: `env:NAME` or `file:<path as written>`. File
 * paths are read relative to the Provider manifest's folder (`DesiredProvider.baseDir`): the
 * loader does not keep the VM manifest's absolute folder, so keep such files next to the Provider.
 */
export function secretRefString(ref: { env: string } | { file: string }): string {
  return "env" in ref ? `env:${ref.env}` : `file:${ref.file}`;
}

/** Parses a reference string back into a secret reference (for readSecret). */
export function parseSecretRef(s: string): { env: string } | { file: string } | undefined {
  if (s.startsWith("env:")) return { env: s.slice(4) };
  if (s.startsWith("file:")) return { file: s.slice(5) };
  return undefined;
}

/** The canonical desired spec of a VirtualMachine resource on a TrueNAS provider (pure). */
export function canonicalVm(r: DesiredResource, config: DesiredProvider): CanonVm {
  const s = r.spec as VirtualMachineSpec;
  const name = r.externalName ?? truenasVmName(r.name);
  const pool = config.spec.type === "truenas" ? config.spec.defaults?.pool : undefined;
  return {
    name,
    dataset: s.dataset ?? (pool ? vmDataset(pool, name) : null),
    description: s.description ?? "",
    vcpus: s.cpu?.sockets ?? 1,
    cores: s.cpu?.cores ?? 1,
    threads: s.cpu?.threads ?? 1,
    memory: s.memory ? (sizeToMiB(s.memory) ?? null) : null,
    bootloader: s.bootloader ?? "UEFI",
    autostart: s.autostart ?? true,
    power: s.power === "stopped" ? "stopped" : "running",
    disks: (s.disks ?? []).map((d, i) => ({ name: d.name ?? `disk${i}`, size: sizeToMiB(d.size) ?? 0, bus: diskType(d.bus) })),
    nics: (s.networks ?? []).map((n) => ({ bridge: n.bridge ?? null, model: (n.model ?? "virtio").toUpperCase(), ...(n.mac ? { mac: n.mac.toLowerCase() } : {}) })),
    iso: s.iso ?? null,
    display: s.display
      ? {
          type: s.display.type === "vnc" ? "VNC" : "SPICE",
          bind: s.display.bind ?? "127.0.0.1",
          ...(s.display.port !== undefined ? { port: s.display.port } : {}),
          password: s.display.password ? secretRefString(s.display.password) : null,
        }
      : null,
  };
}
