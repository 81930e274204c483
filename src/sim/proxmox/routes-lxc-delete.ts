import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import { allCtVolumes, checkCtLock, ctOf, stillThere } from "./lxc-guest.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { forkVmTask } from "./vm-tasks.js";
import { findVolume, freeVolume } from "./volumes.js";
import type { VmRecord } from "./world.js";

/**
 * `DELETE /nodes/{node}/lxc/{vmid}` → `vzdestroy` UPID. Early checks (sync 500), repeated in the
 * worker: protection (`can't remove CT <id> - protection mode enabled`), config lock, and a running
 * container without `force=1` (`unable to destroy CT <id> - container is running`); with `force`
 * the worker stops it first. Every volume the config, pending section and snapshots reference is
 * freed (bind mounts are host paths and stay), with `destroy-unreferenced-disks=1` also the
 * container's unreferenced volumes.
 */
function destroy(sim: SimContext, ct: VmRecord, unreferenced: boolean): void {
  for (const volid of allCtVolumes(ct)) if (findVolume(sim, volid, ct.node)?.vmid === ct.vmid) freeVolume(sim, volid, ct.node);
  if (unreferenced) {
    for (const [key, v] of Object.entries(sim.world.volumes)) if (v.vmid === ct.vmid && (v.node === null || v.node === ct.node)) delete sim.world.volumes[key];
  }
  delete sim.world.vms[ct.vmid];
  sim.rrd.forget(ct.vmid);
  sim.changed();
}

function earlyChecks(ct: VmRecord, force: boolean): void {
  if (Number(ct.conf.protection ?? 0) === 1) fail(`can't remove CT ${ct.vmid} - protection mode enabled`);
  checkCtLock(ct);
  if (ct.running && !force) fail(`unable to destroy CT ${ct.vmid} - container is running`);
}

/** Registers the container destroy route. */
export function registerLxcDeleteRoutes(router: Router): void {
  router.add("DELETE", "/nodes/{node}/lxc/{vmid}", (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid, force: P.optBool, purge: P.optBool, "destroy-unreferenced-disks": P.optBool } });
    const ct = ctOf(ctx.sim, str(p, "node")!, num(p, "vmid")!);
    const force = p.force === 1;
    earlyChecks(ct, force);
    return forkVmTask(ctx, {
      node: ct.node, vmid: ct.vmid, type: "vzdestroy", flock: "exclusive", guestType: "lxc",
      run: async (task) => {
        if (!stillThere(ctx.sim, ct)) fail(`Configuration file 'nodes/${ct.node}/lxc/${ct.vmid}.conf' does not exist`);
        earlyChecks(ct, force);
        if (ct.running) {
          task.log(`forced to stop CT ${ct.vmid} before destroying!`);
          ct.running = false;
          delete ct.startedAt;
        }
        await task.work();
        for (const volid of allCtVolumes(ct)) task.log(`  Logical volume "${volid.split(":")[1]}" successfully removed.`);
        destroy(ctx.sim, ct, p["destroy-unreferenced-disks"] === 1);
        if (p.purge === 1) task.log(`purging CT ${ct.vmid} from related configurations..`);
      },
    });
  });
}
