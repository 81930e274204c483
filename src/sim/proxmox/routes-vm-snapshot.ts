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

/**
 * Snapshots: list (with the `current` pseudo entry), create (`qmsnapshot`, `lock: snapshot` while it
 * runs), delete (`qmdelsnapshot`), rollback (`qmrollback`, stops a running guest, restores disk sizes)
 * and the per-snapshot config. Storage that cannot snapshot (raw on dir/NFS) fails the task with
 * `snapshot feature is not available`.
 */
function snapConf(vm: VmRecord): Conf {
  const conf: Conf = { ...vm.conf };
  delete conf.lock;
  delete conf.parent;
  return conf;
}

function checkFeature(sim: SimContext, vm: VmRecord): void {
  for (const key of Object.keys(vm.conf).filter(isDriveKey)) {
    const d = parsePropertyString(String(vm.conf[key]), "file");
    if (d.media === "cdrom") continue;
    const vol = findVolume(sim, d.file ?? "", vm.node);
    if (vol && !canSnapshot(sim, vol)) fail("snapshot feature is not available");
  }
}

function snapshotName(input: Record<string, unknown>): Record<string, string> {
  return { node: String(input.node), vmid: String(input.vmid), snapname: String(input.snapname) };
}

/** Registers the snapshot routes. */
export function registerVmSnapshotRoutes(router: Router): void {
  router.add("GET", "/nodes/{node}/qemu/{vmid}/snapshot", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const list: Array<Record<string, unknown>> = Object.entries(vm.snapshots).map(([name, s]) => ({
      name, description: s.description, snaptime: s.snaptime, vmstate: s.vmstate, ...(s.parent ? { parent: s.parent } : {}),
    }));
    list.push({ name: "current", description: "You are here!", digest: configDigest(vm), running: vm.running ? 1 : 0, ...(vm.conf.parent ? { parent: vm.conf.parent } : {}) });
    return list;
  });
  router.add("POST", "/nodes/{node}/qemu/{vmid}/snapshot", (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, vmstate: P.optBool, description: P.optStr } });
    const { sim } = ctx;
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const name = str(p, "snapname")!;
    if (name === "current" || name === "pending") paramError({ snapname: `invalid snapshot name '${name}'` });
    checkConfigLock(vm);
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: "qmsnapshot", flock: "none",
      run: async (task) => {
        const release = await sim.locks.acquire(vm.vmid, "exclusive", sim.tunables.lockTimeoutMs);
        try {
          checkConfigLock(vm);
          if (vm.snapshots[name]) fail(`snapshot name '${name}' already used`);
          if (vm.conf.template === 1) fail("you can't take a snapshot if it's a template");
          checkFeature(sim, vm);
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
  router.add("GET", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}", ({ sim, input }) => {
    const n = snapshotName(input);
    const vm = sim.vm(n.node!, Number(n.vmid));
    if (!vm.snapshots[n.snapname!]) fail(`snapshot '${n.snapname}' does not exist`);
    return [{ rel: "config" }, { rel: "rollback" }];
  });
  router.add("GET", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config", ({ sim, input }) => {
    const n = snapshotName(input);
    const vm = sim.vm(n.node!, Number(n.vmid));
    const s = vm.snapshots[n.snapname!];
    if (!s) fail(`snapshot '${n.snapname}' does not exist`);
    return { ...s.conf, snaptime: s.snaptime, description: s.description, vmstate: s.vmstate, ...(s.parent ? { parent: s.parent } : {}) };
  });
  router.add("PUT", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, description: P.optStr } });
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const s = vm.snapshots[str(p, "snapname")!];
    if (!s) fail(`snapshot '${p.snapname}' does not exist`);
    if (p.description !== undefined) s.description = String(p.description).replace(/\s+$/, "");
    sim.changed(vm);
    return null;
  });
  router.add("DELETE", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}", (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, force: P.optBool } });
    const { sim } = ctx;
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const name = str(p, "snapname")!;
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: "qmdelsnapshot", flock: "exclusive",
      run: async (task) => {
        const snap = vm.snapshots[name];
        if (!snap) fail(`snapshot '${name}' does not exist`);
        checkConfigLock(vm, p.force === 1);
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
  router.add("POST", "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback", (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, snapname: P.configId, start: P.optBool } });
    const { sim } = ctx;
    const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
    const name = str(p, "snapname")!;
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: "qmrollback", flock: "exclusive",
      run: async (task) => {
        const snap = vm.snapshots[name];
        if (!snap) fail(`snapshot '${name}' does not exist`);
        checkConfigLock(vm);
        vm.conf.lock = "rollback";
        if (vm.running) {
          task.log(`stopping VM ${vm.vmid}`);
          vm.running = false;
          delete vm.startedAt;
        }
        sim.changed(vm);
        await task.work();
        vm.conf = { ...snap.conf, parent: name };
        vm.pending = {};
        vm.pendingDelete = {};
        for (const key of Object.keys(vm.conf).filter(isDriveKey)) {
          const d = parsePropertyString(String(vm.conf[key]), "file");
          const vol = findVolume(sim, d.file ?? "", vm.node);
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
