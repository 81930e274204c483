import { fail } from "./errors.js";
import type { RequestContext, Router } from "./router.js";
import { P, num, str, validate, type ParamDef } from "./schema.js";
import { summarise } from "./vm-summary.js";
import { checkConfigLock, forkVmTask } from "./vm-tasks.js";
import { applyPending } from "./vm-update.js";
import { findVolume } from "./volumes.js";
import type { VmRecord } from "./world.js";

/**
 * Power: `GET status/current` and `POST status/{start,stop,shutdown,reboot,reset,suspend,resume}`,
 * each a task (`qmstart`, …). Start/stop/shutdown report lock and state errors in the task; reboot
 * and reset on a stopped guest fail synchronously with `VM <id> not running`. Start and reboot apply
 * pending changes.
 */
const POWER_PARAMS: Record<string, ParamDef> = {
  node: P.node, vmid: P.vmid, skiplock: P.optBool, timeout: { type: "integer", optional: true, minimum: 0 },
  forceStop: P.optBool, keepActive: P.optBool, "overrule-shutdown": P.optBool, migratedfrom: P.optStr, stateuri: P.optStr,
  machine: P.optStr, todisk: P.optBool, statestorage: P.optStr, nocheck: P.optBool, "force-cpu": P.optStr,
};

type Action = "start" | "stop" | "shutdown" | "reboot" | "reset" | "suspend" | "resume";

function statusCurrent(vm: VmRecord): Record<string, unknown> {
  const s = summarise(vm);
  const running = vm.running;
  const out: Record<string, unknown> = {
    vmid: vm.vmid, status: s.status, qmpstatus: running ? (vm.paused ? "paused" : "running") : "stopped", name: s.name, cpus: s.cpus,
    maxmem: s.maxmem, maxdisk: s.maxdisk, mem: running ? Math.floor(s.maxmem / 3) : 0, cpu: running ? 0.01 : 0, uptime: s.uptime,
    diskread: 0, diskwrite: 0, netin: 0, netout: 0, ha: { managed: 0 }, "proxmox-support": {},
  };
  if (running) Object.assign(out, { pid: 10000 + vm.vmid, "running-machine": "pc-i440fx-9.2+pve1", "running-qemu": "9.2.0", balloon: s.maxmem, freemem: Math.floor(s.maxmem / 2) });
  if (s.template) out.template = 1;
  if (s.lock) out.lock = s.lock;
  if (s.tags !== undefined) out.tags = s.tags;
  if (vm.conf.agent !== undefined && /^(enabled=)?1/.test(String(vm.conf.agent))) out.agent = 1;
  return out;
}

function power(ctx: RequestContext, action: Action): string {
  const p = validate(ctx.input, { props: POWER_PARAMS });
  const { sim } = ctx;
  const vm = sim.vm(str(p, "node")!, num(p, "vmid")!);
  const skiplock = p.skiplock === 1;
  if ((action === "reboot" || action === "reset" || action === "suspend" || action === "resume") && !vm.running) fail(`VM ${vm.vmid} not running`);
  if (action === "shutdown" && vm.running && vm.paused) fail("VM is paused - cannot shutdown");
  if (action === "reboot") checkConfigLock(vm, skiplock);
  const type = { start: "qmstart", stop: "qmstop", shutdown: "qmshutdown", reboot: "qmreboot", reset: "qmreset", suspend: "qmsuspend", resume: "qmresume" }[action];
  return forkVmTask(ctx, {
    node: vm.node, vmid: vm.vmid, type, flock: "exclusive",
    run: async (task) => {
      if (sim.world.vms[vm.vmid] !== vm) fail(`Configuration file 'nodes/${vm.node}/qemu-server/${vm.vmid}.conf' does not exist`);
      checkConfigLock(vm, skiplock);
      if (action === "start") {
        if (vm.conf.template === 1) fail("you can't start a vm if it's a template");
        checkCicustom(sim, vm);
        if (vm.running) fail(`VM ${vm.vmid} already running`);
      }
      if ((action === "stop" || action === "shutdown") && !vm.running) {
        task.log(`VM ${vm.vmid} not running`);
        return;
      }
      await task.work();
      switch (action) {
        case "start":
          applyPending(sim, vm, false);
          vm.running = true;
          vm.paused = false;
          vm.startedAt = Date.now();
          task.log(`generating cloud-init ISO`);
          break;
        case "stop":
        case "shutdown":
          vm.running = false;
          vm.paused = false;
          delete vm.startedAt;
          break;
        case "reboot":
          applyPending(sim, vm, false);
          vm.startedAt = Date.now();
          vm.paused = false;
          break;
        case "reset":
          vm.startedAt = Date.now();
          break;
        case "suspend":
          vm.paused = true;
          break;
        case "resume":
          vm.paused = false;
          break;
      }
      sim.changed(vm);
    },
  });
}

/**
 * Generating the cloud-init drive at start reads the `cicustom` snippets: a volume that is not on
 * the storage fails the start as PVE does (`volume '…' does not exist`).
 */
function checkCicustom(sim: RequestContext["sim"], vm: VmRecord): void {
  if (vm.conf.cicustom === undefined) return;
  for (const part of String(vm.conf.cicustom).split(",")) {
    const volid = part.slice(part.indexOf("=") + 1);
    if (!volid) continue;
    if (!findVolume(sim, volid, vm.node)) fail(`volume '${volid}' does not exist`);
  }
}

/** Registers the power routes. */
export function registerVmStatusRoutes(router: Router): void {
  router.add("GET", "/nodes/{node}/qemu/{vmid}/status", ({ sim, input }) => {
    sim.vm(String(input.node), Number(input.vmid));
    return ["current", "start", "stop", "reset", "shutdown", "suspend", "reboot", "resume"].map((subdir) => ({ subdir }));
  });
  router.add("GET", "/nodes/{node}/qemu/{vmid}/status/current", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    return statusCurrent(sim.vm(str(p, "node")!, num(p, "vmid")!));
  });
  for (const action of ["start", "stop", "shutdown", "reboot", "reset", "suspend", "resume"] as const) {
    router.add("POST", `/nodes/{node}/qemu/{vmid}/status/${action}`, (ctx) => power(ctx, action));
  }
}
