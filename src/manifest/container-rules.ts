import type { DesiredProvider } from "./model.js";
import { reportAt, reportDangling, type LoadedDocument, type ResolveContext } from "./resolve.js";
import type { ContainerSpec, NfsShareSpec, ProxmoxProviderSpec } from "./schema/index.js";
import { sizeToMiB } from "./units.js";

/**
 * Per-field rules of a Container that the schema cannot express: what a mount point is, which
 * NfsShare a bind names (and its Proxmox storage), networks, and Proxmox's root@pam-only options.
 *
 * Proxmox (pve-container `check_ct_modify_config_perm`) lets only the user `root@pam` set bind
 * (and device) mount points and feature flags other than `nesting` (any flag of a privileged
 * container); it compares the logged-in user id literally, so an API token — even root@pam's —
 * gets 403 `Permission check failed (mount point type bind is only allowed for root@pam)`. Such
 * containers need the provider to log in as root@pam with a password.
 */

/** Whether a provider's credentials can be root@pam: false for tokens and other users, undefined when the user comes from the environment. */
export function canBeRootPam(provider: DesiredProvider): boolean | undefined {
  const auth = (provider.spec as ProxmoxProviderSpec).auth;
  if ("tokenId" in auth) return false;
  return typeof auth.username === "string" ? auth.username === "root@pam" : undefined;
}

function rootOnly(ctx: ResolveContext, doc: LoadedDocument, provider: DesiredProvider, keys: Array<string | number>, what: string): void {
  if (canBeRootPam(provider) !== false) return;
  const token = "tokenId" in (provider.spec as ProxmoxProviderSpec).auth;
  reportAt(
    ctx, doc, keys, "needs-root-pam",
    `${what} needs the root@pam user: Proxmox refuses it to ${token ? "API tokens (even root@pam's)" : "every other user"} with 403 "Permission check failed"`,
    `Give provider "${provider.name}" auth {username: root@pam, password: {env: …}}, or drop it.`,
  );
}

/**
 * Checks mount points, returning the Proxmox storage of each NfsShare bound (by share name) and
 * the addresses of the share attachments the container must wait for.
 */
export function checkMounts(ctx: ResolveContext, doc: LoadedDocument, spec: ContainerSpec, provider: DesiredProvider): { shareStorages: Record<string, string>; dependsOn: string[] } {
  const shares = ctx.byKind.get("NfsShare") ?? new Map<string, LoadedDocument>();
  const shareStorages: Record<string, string> = {};
  const dependsOn: string[] = [];
  const paths = new Map<string, number>();
  (spec.mountPoints ?? []).forEach((m, i) => {
    const at = (k?: string) => ["spec", "mountPoints", i, ...(k ? [k] : [])];
    const kinds = [m.size !== undefined, m.share !== undefined, m.hostPath !== undefined].filter(Boolean).length;
    if (kinds !== 1) reportAt(ctx, doc, at(), "invalid-value", "a mount point needs exactly one of size (a new volume), share (an NfsShare bind) or hostPath (a host bind)", "Write size: 8GiB, or share: NAME, or hostPath: /path.");
    if (m.storage !== undefined && m.size === undefined) reportAt(ctx, doc, at("storage"), "invalid-value", "storage applies to volume mount points (with size)", "Remove storage, or give size.");
    if (m.backup === true && m.size === undefined) reportAt(ctx, doc, at("backup"), "invalid-value", "backup applies to volume mount points (with size)", "Remove backup.");
    if (m.subdir !== undefined && m.share === undefined) reportAt(ctx, doc, at("subdir"), "invalid-value", "subdir applies to share bind mounts", "Remove subdir, or give share.");
    if (/(^|\/)\.\.?(\/|$)/.test(`${m.path}/${m.subdir ?? ""}/${m.hostPath ?? ""}`)) reportAt(ctx, doc, at("path"), "invalid-value", "mount point paths must not contain . or .. segments", "Write plain absolute paths.");
    if (m.path === "/") reportAt(ctx, doc, at("path"), "invalid-value", "/ is the rootfs, not a mount point", "Set the root volume with rootfs.");
    const first = paths.get(m.path);
    if (first !== undefined) reportAt(ctx, doc, at("path"), "duplicate-value", `path ${m.path} is also mounted by mountPoints[${first}]`, "Give every mount point its own path.");
    else paths.set(m.path, i);
    if (m.share !== undefined || m.hostPath !== undefined) rootOnly(ctx, doc, provider, at(m.share !== undefined ? "share" : "hostPath"), "a bind mount point");
    if (m.share === undefined) return;
    const share = shares.get(m.share);
    if (!share) return reportDangling(ctx, doc, at("share"), "NfsShare", m.share, shares);
    const attach = ((share.value.spec as NfsShareSpec).attachTo ?? []).find((a) => a.provider === provider.name);
    if (!attach) return reportAt(ctx, doc, at("share"), "share-not-attached", `NfsShare "${m.share}" is not attached to Proxmox provider "${provider.name}"`, `Add attachTo: [{provider: ${provider.name}, storage: …}] to NfsShare/${m.share}, so Proxmox mounts it.`);
    shareStorages[m.share] = attach.storage;
    dependsOn.push(`NfsShare/${m.share}@${provider.name}`);
  });
  return { shareStorages, dependsOn };
}

/** Checks networks: a bridge for each, unique names, a gateway only with a static address. */
export function checkNetworks(ctx: ResolveContext, doc: LoadedDocument, spec: ContainerSpec, provider: DesiredProvider): void {
  const names = new Map<string, number>();
  (spec.networks ?? []).forEach((n, i) => {
    const name = n.name ?? `eth${i}`;
    const first = names.get(name);
    if (first !== undefined) reportAt(ctx, doc, ["spec", "networks", i, "name"], "duplicate-value", `interface name ${name} is also used by networks[${first}]`, "Name each interface differently (defaults are eth0, eth1, … by position).");
    else names.set(name, i);
    if (!n.bridge) reportAt(ctx, doc, ["spec", "networks", i], "missing-field", "this network has no bridge", `Set bridge, or defaults.bridge on provider "${provider.name}".`);
    if (n.gateway !== undefined && (n.ip ?? "dhcp") === "dhcp") reportAt(ctx, doc, ["spec", "networks", i, "gateway"], "invalid-value", "a gateway needs a static ip (CIDR), not dhcp", "Set ip: ADDRESS/PREFIX, or remove gateway.");
  });
}

/** Checks features (root@pam-only flags) and sizes. */
export function checkLimits(ctx: ResolveContext, doc: LoadedDocument, spec: ContainerSpec, provider: DesiredProvider): void {
  const f = spec.features ?? {};
  const privileged = spec.unprivileged === false;
  for (const key of ["keyctl", "fuse", "mknod", "mount"] as const) {
    const on = key === "mount" ? (f.mount?.length ?? 0) > 0 : f[key] === true;
    if (on) rootOnly(ctx, doc, provider, ["spec", "features", key], `feature ${key}`);
  }
  if (privileged && f.nesting) rootOnly(ctx, doc, provider, ["spec", "features", "nesting"], "a feature of a privileged container");
  if (f.keyctl && privileged) reportAt(ctx, doc, ["spec", "features", "keyctl"], "invalid-value", "keyctl is for unprivileged containers only", "Remove keyctl, or make the container unprivileged.");
  if (spec.memory !== undefined && (sizeToMiB(spec.memory) ?? 0) < 16) reportAt(ctx, doc, ["spec", "memory"], "invalid-value", "Proxmox needs at least 16MiB of memory for a container", "Raise spec.memory.");
  for (const [keys, size] of [[["spec", "rootfs", "size"], spec.rootfs?.size], ...(spec.mountPoints ?? []).map((m, i) => [["spec", "mountPoints", i, "size"], m.size] as const)] as const) {
    if (size !== undefined && (sizeToMiB(size) ?? 0) < 1) reportAt(ctx, doc, [...keys], "invalid-value", "a volume needs at least 1MiB", "Raise the size.");
  }
}
