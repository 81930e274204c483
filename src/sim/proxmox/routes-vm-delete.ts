import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import { parsePropertyString } from "./property-string.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { isDriveKey } from "./vm-schema.js";
import { checkConfigLock, forkVmTask } from "./vm-tasks.js";
import { findVolume, freeVolume } from "./volumes.js";
import type { Conf, VmRecord } from "./world.js";

/**
 * `DELETE /nodes/{node}/qemu/{vmid}` → `qmdestroy` UPID. Synchronous refusals as PVE words them
 * (running, protection, config lock); the worker frees every volume the config, pending section and
 * snapshots reference, and with `destroy-unreferenced-disks=1` also unreferenced volumes owned by the
 * guest. Base volumes still used by linked clones make the task fail.
 */
function referencedVolumes(conf: Conf): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(conf)) {
    if (/^unused\d+$/.test(k)) out.push(String(v));
    else if (isDriveKey(k)) {
      const file = parsePropertyString(String(v), "file").file ?? "";
      if (file.includes(":") && !/:iso\//.test(file)) out.push(file);
    }
  }
  return out;
}

/** Every volume id `vm` references anywhere in its config file. */
export function allReferencedVolumes(vm: VmRecord): Set<string> {
  const set = new Set<string>(referencedVolumes(vm.conf));
  for (const v of referencedVolumes(vm.pending)) set.add(v);
  for (const snap of Object.values(vm.snapshots)) for (const v of referencedVolumes(snap.conf)) set.add(v);
  return set;
}

function destroy(sim: SimContext, vm: VmRecord, unreferenced: boolean): void {
  const vols = allReferencedVolumes(vm);
  for (const volid of vols) {
    const m = /(?:^|[:/])(base-\d+-disk-\d+)/.exec(volid);
    if (!m) continue;
    const user = Object.values(sim.world.volumes).find((v) => v.volid !== volid && v.volid.includes(`${m[1]}/`));
    if (user) fail(`base volume '${volid}' is still in use by linked cloned volume '${user.volid}'`);
  }
  for (const volid of vols) if (findVolume(sim, volid, vm.node)?.vmid === vm.vmid) freeVolume(sim, volid, vm.node);
  if (unreferenced) {
    for (const [key, v] of Object.entries(sim.world.volumes)) {
      if (v.vmid === vm.vmid && (v.node === null || v.node === vm.node)) delete sim.world.volumes[key];
    }
  }
  delete sim.world.vms[vm.vmid];
  sim.rrd.forget(vm.vmid);
  sim.changed();
}

/** Registers the destroy route. */
export function registerVmDeleteRoutes(router: Router): void {
  router.add("DELETE", "/nodes/{node}/qemu/{vmid}", (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, purge: P.optBool, "destroy-unreferenced-disks": P.optBool, skiplock: P.optBool } });
    const vm = ctx.sim.vm(str(p, "node")!, num(p, "vmid")!);
    const skiplock = p.skiplock === 1;
    checkConfigLock(vm, skiplock);
    if (vm.running) fail(`VM ${vm.vmid} is running - destroy failed`);
    if (vm.conf.protection === 1) fail(`can't remove VM ${vm.vmid} - protection mode enabled`);
    return forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: "qmdestroy", flock: "exclusive",
      run: async (task) => {
        if (ctx.sim.world.vms[vm.vmid] !== vm) fail(`Configuration file 'nodes/${vm.node}/qemu-server/${vm.vmid}.conf' does not exist`);
        checkConfigLock(vm, skiplock);
        if (vm.running) fail(`VM ${vm.vmid} is running - destroy failed`);
        await task.work();
        for (const volid of allReferencedVolumes(vm)) task.log(`Removing image: 100% complete...done. (${volid})`);
        destroy(ctx.sim, vm, p["destroy-unreferenced-disks"] === 1);
        if (p.purge === 1) task.log(`purging VM ${vm.vmid} from related configurations..`);
      },
    });
  });
}
