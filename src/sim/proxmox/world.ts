import { randomBytes, randomUUID } from "node:crypto";
import { seedContainerTemplates } from "./lxc-templates.js";

/**
 * The simulated cluster's persistent data: nodes, storage.cfg, guest configs (with pending and
 * snapshot sections), storage volumes and the task archive. Plain JSON so it can be written to and
 * read from `proxmox-world.json` unchanged.
 */
export type ConfValue = string | number;

/** One section of a guest config file: key → value as the API returns it (ints/bools as numbers). */
export type Conf = Record<string, ConfValue>;

/** A `[snapname]` section: the config at snapshot time plus snapshot metadata. */
export interface SnapshotRecord {
  conf: Conf;
  snaptime: number;
  description: string;
  vmstate: 0 | 1;
  parent?: string;
}

/**
 * A guest: active config, `[PENDING]` overlay (values and deletions → force flag) and run state.
 * QEMU VMs and LXC containers share one VMID space (pmxcfs' vmlist), so both live in `vms`;
 * `type` tells them apart (absent = QEMU).
 */
export interface VmRecord {
  vmid: number;
  /** `lxc` for a container; absent for a QEMU VM. */
  type?: "lxc";
  /**
   * Containers: what the create wrote inside the root filesystem, which the API never returns
   * (the root password as a SHA-256 hex digest — never the password — and the authorized keys).
   */
  guestFs?: { rootPasswordSha256?: string; authorizedKeys?: string[] };
  node: string;
  conf: Conf;
  pending: Conf;
  pendingDelete: Record<string, 0 | 1>;
  snapshots: Record<string, SnapshotRecord>;
  running: boolean;
  paused?: boolean;
  /** ms epoch when the guest was started (for `uptime`). */
  startedAt?: number;
}

/** An allocated image/iso volume. `node` is null on shared storage (one copy cluster-wide). */
export interface VolumeRecord {
  volid: string;
  storage: string;
  node: string | null;
  vmid: number;
  size: number;
  format: string;
  ctime: number;
  /** Snippets (`format: snippet`): the file's text, as written over SFTP to the node. */
  text?: string;
}

/** One storage.cfg section (`storage`, `type`, `content` plus type-specific keys). */
export type StorageConfig = Record<string, string | number>;

/** A worker task as `/nodes/{node}/tasks` knows it; `log` holds the task log lines. */
export interface TaskRecord {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  tokenid?: string;
  status: "running" | "stopped";
  exitstatus?: string;
  endtime?: number;
  log: string[];
}

/** Everything persisted between runs. `generation` counts loads (seeds generated ids per run). */
export interface WorldData {
  version: 1;
  generation: number;
  authKey: string;
  password: string;
  tokenSecret: string;
  clusterName: string;
  nodes: string[];
  storages: Record<string, StorageConfig>;
  storageDigestSeq: number;
  vms: Record<string, VmRecord>;
  volumes: Record<string, VolumeRecord>;
  tasks: TaskRecord[];
  pidCounter: number;
}

/** Options that shape a freshly created world. */
export interface WorldSeed {
  nodes?: string[];
  storages?: StorageConfig[];
}

/** The default storages: `local-lvm` (lvmthin, images and container volumes) and `local` (dir, iso/vztmpl/snippets). */
export const defaultStorages: StorageConfig[] = [
  { storage: "local", type: "dir", path: "/var/lib/vz", content: "iso,snippets,vztmpl" },
  { storage: "local-lvm", type: "lvmthin", thinpool: "data", vgname: "pve", content: "images,rootdir" },
];

/** ISO images present on every node's `local` storage in a fresh world. */
const seedIsos: Array<[string, number]> = [
  ["debian-12.7.0-amd64-netinst.iso", 661651456],
  ["ubuntu-24.04.1-live-server-amd64.iso", 2773874688],
];

/** Builds a fresh world; secrets are random (only ever simulator test secrets). */
export function createWorld(seed: WorldSeed): WorldData {
  const nodes = seed.nodes && seed.nodes.length > 0 ? seed.nodes : ["pve1", "pve2"];
  const storages: Record<string, StorageConfig> = {};
  for (const s of seed.storages ?? defaultStorages) storages[String(s.storage)] = { ...s };
  const world: WorldData = {
    version: 1,
    generation: 0,
    authKey: randomBytes(32).toString("base64"),
    password: randomBytes(12).toString("base64url"),
    tokenSecret: randomUUID(),
    clusterName: "simcluster",
    nodes,
    storages,
    storageDigestSeq: 0,
    vms: {},
    volumes: {},
    tasks: [],
    pidCounter: 0x1000,
  };
  const now = Math.floor(Date.now() / 1000);
  for (const node of nodes) {
    for (const [name, size] of seedIsos) {
      const volid = `local:iso/${name}`;
      world.volumes[`${node}/${volid}`] = { volid, storage: "local", node, vmid: 0, size, format: "iso", ctime: now };
    }
    seedContainerTemplates(world, node, now);
  }
  return world;
}
