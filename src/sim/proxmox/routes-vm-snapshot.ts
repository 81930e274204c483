import { configDigest } from "./config-file.js";
import { fail, paramError } from "./errors.js";
import { parsePropertyString, parseSize } from "./property-string.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { isDriveKey } from "./vm-schema.js";
import { checkConfigLock, forkVmTask } from "./vm-tasks.js";
import { canSnapshot, findVolume } from "./volumes.js";
import type { Conf, VmRecord } from "./world.js";
import type { SimContext } from "./context.js";
import { checkCtLock, ctOf } from "./lxc-guest.js";
import { mountType } from "./lxc-schema.js";

/**
 * Snapshots of VMs (`/qemu/…`) and containers (`/lxc/…`, same paths and semantics, pve-guest-common
 * AbstractConfig): list (with the `current` pseudo entry), create (`qmsnapshot`/`vzsnapshot`,
 * `lock: snapshot` while it runs), delete (`…delsnapshot`), rollback (`…rollback`, stops a running
 * guest, restores disk sizes) and the per-snapshot config. A volume that cannot snapshot (raw on
 * dir/NFS) — and for containers any bind or device mount point, which storage cannot snapshot —
 * fails the task with `snapshot feature is not available`.
 */
interface Flavour {
  path: "qemu" | "lxc";
  find(sim: SimContext, node: string, vmid: number): VmRecord;
  checkLock(vm: VmRecord, force?: boolean): void;
  prefix: "qm" | "vz";
  /** The volumes (`file`/`volume` of each disk or mount point) of a config; null for one that can never be snapshotted. */
  volumes(conf: Conf): Array<string | null>;
  guestType?: "lxc";
}

const QEMU: Flavour = {
  path: "qemu", prefix: "qm",
  find: (sim, node, vmid) => sim.vm(node, vmid),
  checkLock: (vm, force) => checkConfigLock(vm, force),
  volumes: (conf) => Object.keys(conf).filter(isDriveKey).map((k) => parsePropertyString(String(conf[k]), "file")).filter((d) => d.media !== "cdrom").map((d) => d.file ?? ""),
};

const LXC: Flavour = {
  path: "lxc", prefix: "vz", guestType: "lxc",
  find: (sim, node, vmid) => ctOf(sim, node, vmid),
  checkLock: (vm, force) => checkCtLock(vm, { skiplock: force === true }),
  volumes: (conf) => Object.keys(conf).filter((k) => k === "rootfs" || /^mp\d+$/.test(k)).map((k) => {
    const volume = parsePropertyString(String(conf[k]), "volume").volume ?? "";
    return mountType(volume) === "volume" ? volume : null;
  }),
};
function snapConf(vm: VmRecord): Conf {
  const conf: Conf = { ...vm.conf };
  delete conf.lock;
  delete conf.parent;
  return conf;
}

function checkFeature(sim: SimContext, f: Flavour, vm: VmRecord): void {
  for (const volid of f.volumes(vm.conf)) {
    if (volid === null) fail("snapshot feature is not available");
    const vol = findVolume(sim, volid, vm.node);
    if (vol && !canSnapshot(sim, vol)) fail("snapshot feature is not available");
  }
}

function snapshotName(input: Record<string, unknown>): Record<string, string> {
  return { node: String(input.node), vmid: String(input.vmid), snapname: String(input.snapname) };
}

/** Registers the snapshot routes of VMs and containers. */
export function registerVmSnapshotRoutes(router: Router): void {
  registerFlavour(router, QEMU);
  registerFlavour(router, LXC);
}

function registerFlavour(router: Router, f: Flavour): void {
  const base = `/nodes/{node}/${f.path}/{vmid}/snapshot`;
  router.add("GET", base, ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    const vm = f.find(sim, str(p, "node")!, num(p, "vmid")!);
    const list: Array<Record<string, unknown>> = Object.entries(vm.snapshots).map(([name, s]) => ({
      name, description: s.description, snaptime: s.snaptime, vmstate: s.vmstate, ...(s.parent ? { parent: s.parent } : {}),
    }));
    list.push({ name: "current", description: "You are here!", digest: configDigest(vm), running: vm.running ? 1 : 0, ...(vm.conf.parent ? { parent: vm.conf.parent } : {}) });
    return list;
  });
  router.add("POST", base, (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, ...(f.path === "qemu" ? { vmstate: P.optBool } : {}), description: P.optStr } });
    const { sim } = ctx;
    const vm = f.find(sim, str(p, "node")!, num(p, "vmid")!);
    const name = str(p, "snapname")!;
    if (f.path === "lxc" && (name === "current" || name === "vzdump")) fail(`unable to use snapshot name '${name}' (reserved name)`);
    if (name === "current" || name === "pending") paramError({ snapname: `invalid snapshot name '${name}'` });
    f.checkLock(vm);
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: `${f.prefix}snapshot`, guestType: f.guestType, flock: "none",
      run: async (task) => {
        const release = await sim.locks.acquire(vm.vmid, "exclusive", sim.tunables.lockTimeoutMs, f.guestType);
        try {
          f.checkLock(vm);
          if (vm.snapshots[name]) fail(`snapshot name '${name}' already used`);
          if (vm.conf.template === 1) fail("you can't take a snapshot if it's a template");
          checkFeature(sim, f, vm);
          vm.conf.lock = "snapshot";
          sim.changed(vm);
        } finally {
          release();
        }
        task.log(`snapshotting 'drive-scsi0' (${name})`);
        await task.work();
        vm.snapshots[name] = {
          conf: snapConf(vm), snaptime: Math.floor(Date.now() / 1000), description: String(p.description ?? "").replace(/\s+$/, ""),
          vmstate: p.vmstate === 1 && vm.running ? 1 : 0, ...(vm.conf.parent ? { parent: String(vm.conf.parent) } : {}),
        };
        vm.conf.parent = name;
        delete vm.conf.lock;
        sim.changed(vm);
      },
    });
  });
  router.add("GET", `${base}/{snapname}`, ({ sim, input }) => {
    const n = snapshotName(input);
    const vm = f.find(sim, n.node!, Number(n.vmid));
    if (!vm.snapshots[n.snapname!]) fail(`snapshot '${n.snapname}' does not exist`);
    return [{ rel: "config" }, { rel: "rollback" }];
  });
  router.add("GET", `${base}/{snapname}/config`, ({ sim, input }) => {
    const n = snapshotName(input);
    const vm = f.find(sim, n.node!, Number(n.vmid));
    const s = vm.snapshots[n.snapname!];
    if (!s) fail(`snapshot '${n.snapname}' does not exist`);
    return { ...s.conf, snaptime: s.snaptime, description: s.description, vmstate: s.vmstate, ...(s.parent ? { parent: s.parent } : {}) };
  });
  router.add("PUT", `${base}/{snapname}/config`, ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, description: P.optStr } });
    const vm = f.find(sim, str(p, "node")!, num(p, "vmid")!);
    const s = vm.snapshots[str(p, "snapname")!];
    if (!s) fail(`snapshot '${p.snapname}' does not exist`);
    if (p.description !== undefined) s.description = String(p.description).replace(/\s+$/, "");
    sim.changed(vm);
    return null;
  });
  router.add("DELETE", `${base}/{snapname}`, (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, force: P.optBool } });
    const { sim } = ctx;
    const vm = f.find(sim, str(p, "node")!, num(p, "vmid")!);
    const name = str(p, "snapname")!;
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: `${f.prefix}delsnapshot`, guestType: f.guestType, flock: "exclusive",
      run: async (task) => {
        const snap = vm.snapshots[name];
        if (!snap) fail(`snapshot '${name}' does not exist`);
        f.checkLock(vm, p.force === 1);
        vm.conf.lock = "snapshot-delete";
        sim.changed(vm);
        try {
          await task.work();
          for (const other of Object.values(vm.snapshots)) if (other.parent === name) {
            if (snap.parent) other.parent = snap.parent;
            else delete other.parent;
          }
          if (vm.conf.parent === name) {
            if (snap.parent) vm.conf.parent = snap.parent;
            else delete vm.conf.parent;
          }
          delete vm.snapshots[name];
        } finally {
          delete vm.conf.lock;
          sim.changed(vm);
        }
      },
    });
  });
  router.add("POST", `${base}/{snapname}/rollback`, (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, start: P.optBool } });
    const { sim } = ctx;
    const vm = f.find(sim, str(p, "node")!, num(p, "vmid")!);
    const name = str(p, "snapname")!;
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: `${f.prefix}rollback`, guestType: f.guestType, flock: "exclusive",
      run: async (task) => {
        const snap = vm.snapshots[name];
        if (!snap) fail(`snapshot '${name}' does not exist`);
        f.checkLock(vm);
        vm.conf.lock = "rollback";
        if (vm.running) {
          task.log(`stopping ${f.path === "lxc" ? "CT" : "VM"} ${vm.vmid}`);
          vm.running = false;
          delete vm.startedAt;
        }
        sim.changed(vm);
        await task.work();
        vm.conf = { ...snap.conf, parent: name };
        vm.pending = {};
        vm.pendingDelete = {};
        for (const key of Object.keys(vm.conf).filter((k) => (f.path === "lxc" ? k === "rootfs" || /^mp\d+$/.test(k) : isDriveKey(k)))) {
          const d = parsePropertyString(String(vm.conf[key]), f.path === "lxc" ? "volume" : "file");
          const vol = findVolume(sim, d.file ?? d.volume ?? "", vm.node);
          const size = parseSize(d.size ?? "");
          if (vol && size !== null) vol.size = size;
        }
        if (p.start === 1 || snap.vmstate === 1) {
          vm.running = true;
          vm.startedAt = Date.now();
        }
        sim.changed(vm);
      },
    });
  });
}
