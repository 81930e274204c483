import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import { applyCtPending } from "./lxc-update.js";
import type { TaskContext } from "./tasks.js";
import type { VmRecord } from "./world.js";

/**
 * Starting and stopping a container inside a worker (pve-container `vm_start`, `vm_stop`,
 * `vm_reboot`): a start applies pending changes first (their errors are warnings in the task log),
 * refuses templates, and takes the container's run state; a reboot is stop + start.
 */
export async function startCt(sim: SimContext, ct: VmRecord, task: TaskContext): Promise<void> {
  if (ct.conf.template === 1) fail("you can't start a CT if it's a template");
  if (ct.running) fail(`CT ${ct.vmid} already running`);
  await task.work();
  for (const warning of applyCtPending(sim, ct)) task.log(`WARN: ${warning}`);
  ct.running = true;
  ct.paused = false;
  ct.startedAt = Date.now();
  sim.changed(ct);
}

/** Stops the container (hard or clean makes no difference to the simulated world). */
export async function stopCt(sim: SimContext, ct: VmRecord, task: TaskContext): Promise<void> {
  await task.work();
  ct.running = false;
  ct.paused = false;
  delete ct.startedAt;
  sim.changed(ct);
}
