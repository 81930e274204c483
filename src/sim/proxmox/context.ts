import { SeededRandom, type SimKnobs } from "../knobs.js";
import type { Authenticator } from "./auth.js";
import { fail, noSuchVm } from "./errors.js";
import { randomMac, randomUuid } from "./ids.js";
import { GuestLocks } from "./locks.js";
import { RrdCache } from "./rrd-cache.js";
import { RequestTally } from "../request-tally.js";
import { TaskManager } from "./tasks.js";
import { guestSummary } from "./guest-summary.js";
import type { StorageConfig, VmRecord, WorldData } from "./world.js";
import type { WorldWriter } from "../world-writer.js";
import { createWorldStore } from "./world-store.js";

/** Start-time tunables beyond the shared knobs. */
export interface SimTunables {
  /** How long `/cluster/resources` lags behind writes (PVE: up to 10 s). */
  clusterResourcesLagMs: number;
  /** Wait for the per-guest flock before `got timeout` (PVE: 10 s; clone uses a tenth of it). */
  lockTimeoutMs: number;
  /** Delay of every 401 answer (PVE: 3 s). */
  unauthorizedDelayMs: number;
}

/**
 * Everything a request handler may touch: the world, its persistence, guest locks, the task table,
 * knobs and the seeded generators. One per running simulator.
 */
export class SimContext {
  readonly locks = new GuestLocks();
  readonly tasks: TaskManager;
  readonly store: WorldWriter;
  readonly rrd: RrdCache;
  /** API requests served, by route template (`GET /nodes/{node}/qemu/{vmid}/config`). */
  readonly requests = new RequestTally();
  faultRng: SeededRandom;
  idRng: SeededRandom;
  private macs: Set<string> | undefined;

  constructor(
    readonly world: WorldData,
    readonly dir: string,
    public knobs: SimKnobs,
    readonly tunables: SimTunables,
    readonly auth: Authenticator,
  ) {
    this.store = createWorldStore(dir, () => this.world);
    this.tasks = new TaskManager(() => this.world, {
      durationMs: () => this.knobs.taskDurationMs,
      changed: () => this.store.markDirty(),
    });
    this.rrd = new RrdCache(tunables.clusterResourcesLagMs);
    for (const vm of Object.values(world.vms)) this.rrd.record(guestSummary(vm), 0);
    this.faultRng = new SeededRandom(knobs.seed);
    this.idRng = new SeededRandom((knobs.seed * 2654435761 + world.generation * 40503) >>> 0);
  }

  /** Applies new knobs; a changed `seed` restarts the fault sequence so runs are reproducible. */
  setKnobs(partial: Partial<SimKnobs>): void {
    const seedChanged = partial.seed !== undefined && partial.seed !== this.knobs.seed;
    this.knobs = { ...this.knobs, ...partial };
    if (seedChanged || partial.seed !== undefined) this.faultRng = new SeededRandom(this.knobs.seed);
  }

  /** Records that `vm` (or the world) changed: schedules persistence and an RRD sample. */
  changed(vm?: VmRecord): void {
    if (vm && this.world.vms[vm.vmid] === vm) this.rrd.record(guestSummary(vm));
    this.store.markDirty();
  }

  /** Dies like PVE's proxy when `node` is not a cluster member. */
  checkNode(node: string): void {
    if (!this.world.nodes.includes(node)) {
      fail(`hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known`);
    }
  }

  /** The QEMU guest `vmid` on `node`, or PVE's `Configuration file … does not exist` 500 (also for a container's id). */
  vm(node: string, vmid: number): VmRecord {
    this.checkNode(node);
    const vm = this.world.vms[vmid];
    if (!vm || vm.node !== node || vm.type === "lxc") noSuchVm(node, vmid);
    return vm;
  }

  /** The storage.cfg section `id`, or undefined. */
  storage(id: string): StorageConfig | undefined {
    return this.world.storages[id];
  }

  /** A fresh MAC not used by any guest. */
  newMac(): string {
    if (!this.macs) {
      this.macs = new Set();
      for (const vm of Object.values(this.world.vms)) {
        for (const [k, v] of Object.entries(vm.conf)) {
          if (!/^net\d+$/.test(k)) continue;
          const mac = /([0-9A-F]{2}(:[0-9A-F]{2}){5})/i.exec(String(v))?.[1];
          if (mac) this.macs.add(mac.toUpperCase());
        }
      }
    }
    return randomMac(this.idRng, this.macs);
  }

  /** A fresh UUID from the seeded generator. */
  newUuid(): string {
    return randomUuid(this.idRng);
  }

  /** Content types of a storage as a list. */
  contentOf(id: string): string[] {
    const s = this.storage(id);
    return s ? String(s.content ?? "").split(",").filter(Boolean) : [];
  }
}
