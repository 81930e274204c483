import { createHash } from "node:crypto";
import type { DesiredProvider, DesiredResource } from "../../manifest/model.js";
import { sizeToMiB } from "../../manifest/units.js";
import { MARKER_TAG } from "./marker.js";
import { canonicalKeys, canonicalTags } from "./spec-types.js";

/**
 * The canonical spec of a `Container` (an LXC guest): what `canonicalContainer` makes of a desired
 * resource and `normaliseContainer` of a PVE config, in the same shape. Sizes in MiB; `null` for an
 * option that is not set. Facts PVE does not keep in the config — the OS template, the clone source,
 * the SSH keys (as OpenSSH SHA256 fingerprints) and the root password's secret reference (never the
 * password) — come from vmsync's marker line; on a container without them (imported) they observe
 * as `null`, meaning "unknown", which the diff records instead of replacing.
 */

/** A bind mount's source. Desired: a share's storage (`storage` + `subdir`) or a host path; observed: all three. */
export interface CtBind {
  hostPath?: string;
  storage?: string | null;
  subdir?: string | null;
}

/** One mount point (`mpN`): a storage volume or a bind mount. */
export interface CtMount {
  path: string;
  readOnly: boolean;
  volume: { storage: string; size: number; backup: boolean } | null;
  bind: CtBind | null;
}

/** One NIC (`netN`). `mac` is desired only when pinned; observed always. */
export interface CtNic {
  name: string;
  bridge: string;
  vlan: number | null;
  /** `dhcp`, an IPv4 CIDR, or null (no IPv4 configuration). */
  ip: string | null;
  gateway: string | null;
  mac?: string;
}

/** The feature flags vmsync manages, all explicit so that removing one is a change. */
export interface CtFeatures {
  fuse: boolean;
  keyctl: boolean;
  mknod: boolean;
  nesting: boolean;
  mount: string[];
}

/** Canonical spec of a Container. */
export interface CtSpec {
  node: string;
  /** Desired only when pinned; observed always. */
  vmid?: number;
  hostname: string;
  ostemplate: string | null;
  clone: { template: string; linked: boolean } | null;
  template: boolean;
  unprivileged: boolean;
  cores: number | null;
  memory: number;
  swap: number;
  rootfs: { storage: string; size: number };
  /** By option name (`mp0`, `mp1`, …), so that plans name the one that changes. */
  mountPoints: Record<string, CtMount>;
  /** By option name (`net0`, …). */
  networks: Record<string, CtNic>;
  features: CtFeatures;
  /** SHA256 fingerprints of root's SSH keys (observed null when not recorded). */
  sshKeys: string[] | null;
  /** Desired only: the key lines themselves, sent at create (public, but never compared: `_` keys are write-only). */
  _publicKeys?: string[];
  /** `env:NAME` / `file:PATH` of the root password (observed null when not recorded; "" for none). */
  rootPassword: string | null;
  onboot: boolean;
  /** Not for templates. */
  power?: "running" | "stopped";
  tags: string[];
  description: string;
}

/** The OpenSSH fingerprint of a public key line (`SHA256:` + unpadded base64 of the key blob's SHA-256). */
export function sshFingerprint(key: string): string {
  const blob = key.trim().split(/\s+/)[1] ?? "";
  return `SHA256:${createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;
}

/** A secret reference as the string the spec and the marker hold (`env:NAME`, `file:PATH`). */
export function secretRefText(ref: { env: string } | { file: string } | undefined): string {
  if (!ref) return "";
  return "env" in ref ? `env:${ref.env}` : `file:${ref.file}`;
}

/** Canonical desired spec of a Container resource (pure). */
export function canonicalContainer(r: DesiredResource<"Container">, config: DesiredProvider): CtSpec {
  const s = r.spec;
  const defaults = config.spec.type === "proxmox" ? (config.spec.defaults ?? {}) : {};
  const rootStorage = s.rootfs?.storage ?? defaults.storage ?? "";
  const f = s.features ?? {};
  const spec: CtSpec = {
    node: s.node ?? defaults.node ?? "",
    ...(s.vmid !== undefined ? { vmid: s.vmid } : {}),
    hostname: r.externalName ?? r.name,
    ostemplate: s.ostemplate ?? null,
    clone: s.clone ? { template: s.clone.template, linked: s.clone.linked ?? false } : null,
    template: s.template ?? false,
    unprivileged: s.unprivileged ?? true,
    cores: s.cores ?? null,
    memory: sizeToMiB(s.memory ?? "512MiB") ?? 512,
    swap: sizeToMiB(s.swap ?? "512MiB") ?? 512,
    rootfs: { storage: rootStorage, size: sizeToMiB(s.rootfs?.size ?? "4GiB") ?? 4096 },
    mountPoints: Object.fromEntries((s.mountPoints ?? []).map((m, i) => [`mp${i}`, {
      path: m.path,
      readOnly: m.readOnly ?? false,
      volume: m.size !== undefined ? { storage: m.storage ?? rootStorage, size: sizeToMiB(m.size) ?? 0, backup: m.backup ?? false } : null,
      bind: m.share !== undefined
        ? { storage: s.shareStorages?.[m.share] ?? m.share, subdir: (m.subdir ?? "").replace(/^\/+|\/+$/g, "") }
        : m.hostPath !== undefined ? { hostPath: m.hostPath.replace(/(.)\/+$/, "$1") } : null,
    }])),
    networks: Object.fromEntries((s.networks ?? []).map((n, i) => [`net${i}`, {
      name: n.name ?? `eth${i}`,
      bridge: n.bridge ?? defaults.bridge ?? "",
      vlan: n.vlan ?? null,
      ip: n.ip ?? "dhcp",
      gateway: n.gateway ?? null,
      ...(n.mac ? { mac: n.mac.toUpperCase() } : {}),
    }])),
    features: { fuse: f.fuse ?? false, keyctl: f.keyctl ?? false, mknod: f.mknod ?? false, nesting: f.nesting ?? false, mount: [...new Set(f.mount ?? [])].sort() },
    sshKeys: s.clone ? null : canonicalKeys(s.sshKeys ?? []).map(sshFingerprint),
    rootPassword: s.clone ? null : secretRefText(s.rootPassword),
    onboot: s.onboot ?? false,
    tags: canonicalTags(s.tags ?? [], MARKER_TAG),
    description: (s.description ?? "").replace(/\s+$/, ""),
  };
  if (!spec.template) spec.power = s.power === "stopped" ? "stopped" : "running";
  if (!s.clone && s.sshKeys?.length) spec._publicKeys = canonicalKeys(s.sshKeys);
  return spec;
}
