import type { DesiredResource } from "../manifest/model.js";
import { NAME_PLACEHOLDER } from "../manifest/resolve-guests.js";
import type { GuestSpec, SecretRef } from "../manifest/schema/index.js";
import type { CanonicalSpec } from "../providers/contract.js";
import { nfsExportOf, nfsServerOf } from "../providers/proxmox/canonicalize.js";
import { canonicalKeys } from "./files/authorized-keys.js";

/** The `hostKey` of a guest that pins none: the first key seen is trusted and recorded in state. */
export const TRUST_ON_FIRST_USE = "trust-on-first-use";

/** Mount options when a mount gives none (the schema's default). */
export const DEFAULT_MOUNT_OPTIONS = "vers=4.1,hard";

/** How vmsync reaches a guest, as planned and recorded (secret references only, never values). */
export interface GuestSshSpec {
  user: string;
  port: number;
  /** `guest.address` with `{name}` filled in; null = the first address the provider reports. */
  address: string | null;
  privateKey: SecretRef;
  passphrase: SecretRef | null;
  /** A pinned fingerprint (or its {env} reference), or {@link TRUST_ON_FIRST_USE}. */
  hostKey: string | { env: string };
  via: { address: string; port: number; user: string; privateKey: SecretRef; passphrase: SecretRef | null; hostKey: string | { env: string } } | null;
  connectTimeout: string;
  readyTimeout: string;
}

/** One mount vmsync keeps: its fstab line and whether it is mounted now. */
export interface GuestMountSpec {
  source: string;
  fstype: "nfs";
  options: string;
  mounted: boolean;
}

/** An observed mount point that something other than vmsync's block already uses. */
export interface ForeignMount {
  unmanaged: string;
}

/**
 * The canonical spec of `VirtualMachine/NAME@guest`: `mounts` keyed by mount point (so plans say
 * `mounts./mnt/media.mounted`), `authorizedKeys` sorted canonical lines, `ssh` the access settings.
 * The observed spec has the same shape, read from vmsync's blocks in /etc/fstab and
 * ~/.ssh/authorized_keys and from `findmnt`.
 */
export interface GuestCanonical {
  vm: string;
  ssh: GuestSshSpec;
  mounts: Record<string, GuestMountSpec | ForeignMount>;
  authorizedKeys: string[];
}

/** Paths of the canonical spec that hold secret references: always shown as (sensitive). */
export const GUEST_SENSITIVE = ["ssh.privateKey", "ssh.passphrase", "ssh.via.privateKey", "ssh.via.passphrase"];

/** The canonical desired spec of a guest resource (pure; an `{env}` exporter endpoint is read from the environment). */
export function canonicalGuest(r: DesiredResource): GuestCanonical {
  const g = (r.spec as { guest: GuestSpec }).guest;
  const s = g.ssh!; // the resolver made sure ssh, its user and its key are set
  const mounts: Record<string, GuestMountSpec> = {};
  for (const m of g.mounts ?? []) {
    const share = r.guestContext?.shares[m.share];
    const source = share ? `${nfsServerOf(share, m.server)}:${nfsExportOf(share.spec, m.share)}` : `${m.server ?? ""}:`;
    mounts[m.path] = { source, fstype: "nfs", options: m.options ?? DEFAULT_MOUNT_OPTIONS, mounted: true };
  }
  return {
    vm: r.attachmentOf ?? r.address,
    ssh: {
      user: s.user!, port: s.port ?? 22, address: g.address === undefined ? null : g.address.split(NAME_PLACEHOLDER).join(r.name),
      privateKey: s.privateKey!, passphrase: s.passphrase ?? null, hostKey: s.hostKey ?? TRUST_ON_FIRST_USE,
      via: s.via ? { address: s.via.address, port: s.via.port ?? 22, user: s.via.user, privateKey: s.via.privateKey, passphrase: s.via.passphrase ?? null, hostKey: s.via.hostKey } : null,
      connectTimeout: s.connectTimeout ?? "10s", readyTimeout: s.readyTimeout ?? "5m",
    },
    mounts: sortKeys(mounts),
    authorizedKeys: canonicalKeys(g.authorizedKeys ?? []),
  };
}

/** A canonical guest spec from plain JSON (a plan's desired spec, a state record). */
export function asGuest(spec: unknown): GuestCanonical {
  return spec as GuestCanonical;
}

/** The same spec as the planner's plain JSON. */
export function asCanonical(g: GuestCanonical): CanonicalSpec {
  return g as unknown as CanonicalSpec;
}

/** True for a mount vmsync keeps (not an unmanaged one found in the way). */
export function isManagedMount(m: GuestMountSpec | ForeignMount | undefined): m is GuestMountSpec {
  return m !== undefined && !("unmanaged" in m);
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
