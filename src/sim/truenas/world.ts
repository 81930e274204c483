/**
 * The simulated system's state: VMs, devices, datasets, NFS shares, services, periodic snapshot
 * tasks, snapshots and the admin credentials. Kept in Maps for speed (~1000 VMs) and serialised
 * to plain JSON by `toJSON`/`fromJSON` for `truenas-world.json`. Version-independent: the method
 * modules render the version-specific wire shapes.
 */

/** VM power state as `status.state` reports it. */
export type VmState = "RUNNING" | "STOPPED" | "SUSPENDED";

/** A VM: its validated config fields (name, memory, …) plus power state. */
export interface VmRecord {
  id: number;
  fields: Record<string, unknown>;
  state: VmState;
  pid: number | null;
}

/** A VM device, stored with a top-level `dtype` regardless of version. */
export interface DeviceRecord {
  id: number;
  vm: number;
  order: number;
  dtype: string;
  attributes: Record<string, unknown>;
}

/** A ZFS dataset or zvol; `props` holds locally set properties (inherited ones resolve via parents). */
export interface DatasetRecord {
  name: string;
  type: "FILESYSTEM" | "VOLUME";
  props: Record<string, unknown>;
  userProperties: Record<string, string>;
  created: number;
  createtxg: number;
}

/** An NFS share row (fields as validated, without `id`). */
export interface NfsRecord {
  id: number;
  fields: Record<string, unknown>;
}

/** A service row. */
export interface ServiceRecord {
  id: number;
  service: string;
  enable: boolean;
  state: "RUNNING" | "STOPPED";
}

/** A periodic snapshot task row. */
export interface SnapshotTaskRecord {
  id: number;
  fields: Record<string, unknown>;
}

/** A ZFS snapshot `dataset@name`. */
export interface SnapshotRecord {
  dataset: string;
  name: string;
  created: number;
  createtxg: number;
  userProperties: Record<string, string>;
}

/** Admin credentials the simulator accepts (test secrets made by the simulator). */
export interface Credentials {
  username: string;
  password: string;
  apiKey: string;
}

const SERVICES = ["afp", "cifs", "ftp", "iscsitarget", "nfs", "snmp", "ssh", "ups", "smartd", "nvmet"];

/** The whole world. Mutators call `touch()` (wired to the coalesced writer). */
export class World {
  vms = new Map<number, VmRecord>();
  devices = new Map<number, DeviceRecord>();
  datasets = new Map<string, DatasetRecord>();
  nfs = new Map<number, NfsRecord>();
  services = new Map<string, ServiceRecord>();
  snapshotTasks = new Map<number, SnapshotTaskRecord>();
  snapshots = new Map<string, SnapshotRecord>();
  nfsConfig: Record<string, unknown> = { protocols: ["NFSV3", "NFSV4"], servers: null, allow_nonroot: false, v4_domain: "", bindip: [], mountd_port: null, rpcstatd_port: null, rpclockd_port: null, userd_manage_gids: false, rdma: false };
  nextIds = { vm: 1, device: 1, nfs: 1, snapshotTask: 1 };
  txg = 1;
  /** Counts `touch()` calls: what is derived from the world (e.g. pool space) is valid while it stays. */
  revision = 0;
  onChange: () => void = () => {};

  constructor(readonly credentials: Credentials) {}

  /** Marks the world changed (schedules a coalesced write). */
  touch(): void {
    this.revision++;
    this.onChange();
  }

  /** Allocates the next id of a row kind. */
  nextId(kind: keyof World["nextIds"]): number {
    return this.nextIds[kind]++;
  }

  /** A fresh world: pool `tank` (root dataset) and the default services (all stopped). */
  static fresh(credentials: Credentials, now: number): World {
    const w = new World(credentials);
    w.datasets.set("tank", { name: "tank", type: "FILESYSTEM", props: { compression: "LZ4" }, userProperties: {}, created: now, createtxg: w.txg++ });
    SERVICES.forEach((s, i) => w.services.set(s, { id: i + 1, service: s, enable: false, state: "STOPPED" }));
    return w;
  }

  /** Device ids of a VM, in id order. */
  devicesOf(vm: number): DeviceRecord[] {
    const out: DeviceRecord[] = [];
    for (const d of this.devices.values()) if (d.vm === vm) out.push(d);
    return out;
  }

  /** Plain JSON for the world file. */
  toJSON(): unknown {
    return {
      format: 1,
      credentials: this.credentials,
      nextIds: this.nextIds,
      txg: this.txg,
      vms: [...this.vms.values()],
      devices: [...this.devices.values()],
      datasets: [...this.datasets.values()],
      nfs: [...this.nfs.values()],
      services: [...this.services.values()],
      snapshotTasks: [...this.snapshotTasks.values()],
      snapshots: [...this.snapshots.values()],
      nfsConfig: this.nfsConfig,
    };
  }

  /** Rebuilds a world from `toJSON` output; throws on an unknown format. */
  static fromJSON(raw: unknown): World {
    const o = raw as Record<string, unknown> & { format?: number };
    if (!o || o.format !== 1) throw new Error("truenas-world.json: unknown format");
    const w = new World(o.credentials as Credentials);
    w.nextIds = { ...w.nextIds, ...(o.nextIds as World["nextIds"]) };
    w.txg = Number(o.txg ?? 1);
    for (const v of (o.vms ?? []) as VmRecord[]) w.vms.set(v.id, v);
    for (const d of (o.devices ?? []) as DeviceRecord[]) w.devices.set(d.id, d);
    for (const d of (o.datasets ?? []) as DatasetRecord[]) w.datasets.set(d.name, d);
    for (const n of (o.nfs ?? []) as NfsRecord[]) w.nfs.set(n.id, n);
    for (const s of (o.services ?? []) as ServiceRecord[]) w.services.set(s.service, s);
    for (const t of (o.snapshotTasks ?? []) as SnapshotTaskRecord[]) w.snapshotTasks.set(t.id, t);
    for (const s of (o.snapshots ?? []) as SnapshotRecord[]) w.snapshots.set(`${s.dataset}@${s.name}`, s);
    if (o.nfsConfig) w.nfsConfig = o.nfsConfig as Record<string, unknown>;
    return w;
  }
}
