import type { ObservedResource } from "../contract.js";
import { splitDescription, type MarkerLine } from "./marker.js";
import { guestId, tagsOf, type PveConfig } from "./normalise.js";
import type { CtBind, CtMount, CtNic, CtSpec } from "./lxc-spec.js";
import { isTrue, parseCtNet, parseFeatures, parseMount } from "./lxc-values.js";

/** What observe knows of one container: where it is, whether it runs, and its config (pending applied). */
export interface CtView {
  node: string;
  vmid: number;
  running: boolean;
  config: PveConfig;
}

/** Where each storage's files live on a node (`path`; NFS/CIFS default `/mnt/pve/<id>`), by storage id. */
export type StoragePaths = Map<string, string>;

/** Marker attributes of the create-time facts of a container. */
export const CT_FACTS = { ostemplate: "ostemplate", sshKeys: "ssh-keys", rootPassword: "root-password" } as const;

/** Maps a bind source to the storage whose directory holds it (longest match), keeping the host path. */
function bindOf(hostPath: string, storages: StoragePaths): CtBind {
  let best: { id: string; path: string } | undefined;
  for (const [id, path] of storages) {
    if ((hostPath === path || hostPath.startsWith(`${path}/`)) && (!best || path.length > best.path.length)) best = { id, path };
  }
  return best ? { hostPath, storage: best.id, subdir: hostPath.slice(best.path.length).replace(/^\/+/, "") } : { hostPath, storage: null, subdir: null };
}

function mountsOf(c: PveConfig, storages: StoragePaths): Record<string, CtMount> {
  const out: Record<string, CtMount> = {};
  for (const slot of Object.keys(c).filter((k) => /^mp\d+$/.test(k) && c[k] !== undefined).sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))) {
    const m = parseMount(String(c[slot]));
    out[slot] = {
      path: m.mp ?? "", readOnly: isTrue(m.opts.ro),
      volume: m.bind ? null : { storage: m.storage, size: m.size ?? 0, backup: isTrue(m.opts.backup) },
      bind: m.bind ? bindOf(m.volume.replace(/(.)\/+$/, "$1"), storages) : null,
    };
  }
  return out;
}

function nicsOf(c: PveConfig): Record<string, CtNic> {
  const out: Record<string, CtNic> = {};
  for (const k of Object.keys(c).filter((x) => /^net\d+$/.test(x)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))) {
    const n = parseCtNet(String(c[k]));
    out[k] = { name: n.name ?? "", bridge: n.bridge ?? "", vlan: n.tag !== undefined ? Number(n.tag) : null, ip: n.ip ?? null, gateway: n.gw ?? null, mac: (n.hwaddr ?? "").toUpperCase() };
  }
  return out;
}

function fact(marker: MarkerLine | undefined, key: string): string | null {
  const v = marker?.extra?.[key];
  return v === undefined ? null : v;
}

/**
 * Canonical spec of a container config in the shape `canonicalContainer` gives: sizes in MiB,
 * MACs upper-case, tags split/sorted, bind sources mapped to the storage holding them, the marker
 * line taken out of the description and its create-time facts read back.
 */
export function normaliseContainer(v: CtView, storages: StoragePaths): { spec: CtSpec; marker: MarkerLine | undefined } {
  const c = v.config;
  const { text, marker } = splitDescription(c.description === undefined ? undefined : String(c.description));
  const rootfs = parseMount(String(c.rootfs ?? ""));
  const keys = fact(marker, CT_FACTS.sshKeys);
  const template = Number(c.template ?? 0) === 1;
  const spec: CtSpec = {
    node: v.node,
    vmid: v.vmid,
    hostname: String(c.hostname ?? `CT${v.vmid}`),
    ostemplate: fact(marker, CT_FACTS.ostemplate),
    clone: marker?.cloneOf ? { template: marker.cloneOf, linked: marker.clone === "linked" } : null,
    template,
    unprivileged: Number(c.unprivileged ?? 0) === 1,
    cores: c.cores !== undefined ? Number(c.cores) : null,
    memory: Number(c.memory ?? 512),
    swap: Number(c.swap ?? 512),
    rootfs: { storage: rootfs.storage, size: rootfs.size ?? 0 },
    mountPoints: mountsOf(c, storages),
    networks: nicsOf(c),
    features: parseFeatures(c.features === undefined ? undefined : String(c.features)),
    sshKeys: keys === null ? null : keys.split(",").filter(Boolean),
    rootPassword: fact(marker, CT_FACTS.rootPassword),
    onboot: Number(c.onboot ?? 0) === 1,
    tags: tagsOf(c.tags).user,
    description: text,
  };
  if (!template) spec.power = v.running ? "running" : "stopped";
  return { spec, marker };
}

/** The observed resource of a container, with its node and power as status. */
export function observedContainer(v: CtView, storages: StoragePaths): ObservedResource {
  const { spec, marker } = normaliseContainer(v, storages);
  return {
    kind: "Container",
    externalId: guestId(v.node, v.vmid),
    name: spec.hostname,
    spec: spec as unknown as Record<string, unknown>,
    ...(marker ? { marker: { stack: marker.stack, address: marker.address } } : {}),
    status: { placement: v.node, power: spec.template ? "stopped" : v.running ? "running" : "stopped" },
  };
}
