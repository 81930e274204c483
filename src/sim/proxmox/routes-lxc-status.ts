import { fail, paramError } from "./errors.js";
import { checkCtLock, ctOf, stillThere } from "./lxc-guest.js";
import { isRootPam } from "./lxc-perms.js";
import { startCt, stopCt } from "./lxc-power.js";
import { ctListEntry } from "./routes-lxc-create.js";
import type { RequestContext, Router } from "./router.js";
import { P, num, str, validate, type ParamDef } from "./schema.js";
import { forkVmTask } from "./vm-tasks.js";

/**
 * Container power (pve-container `API2/LXC/Status.pm`): `GET status/current` and
 * `POST status/{start,stop,shutdown,reboot,suspend,resume}` → `vzstart`, `vzstop`, `vzshutdown`,
 * `vzreboot`, `vzsuspend`, `vzresume`. Unlike QEMU, the run-state checks are synchronous 500s:
 * `CT <id> already running` (start), `CT <id> not running` (stop, shutdown, suspend) and — worded
 * with "VM" in pve-container — `VM <id> not running` for reboot. Lock checks happen in the worker;
 * `skiplock` is root@pam-only (400). Start and reboot apply pending changes.
 */
const POWER_PARAMS: Record<string, ParamDef> = {
  node: P.node, vmid: P.vmid, skiplock: P.optBool, timeout: { type: "integer", optional: true, minimum: 0 }, forceStop: P.optBool,
  "overrule-shutdown": P.optBool, debug: P.optBool,
};

type Action = "start" | "stop" | "shutdown" | "reboot" | "suspend" | "resume";

function power(ctx: RequestContext, action: Action): string {
  const p = validate(ctx.input, { props: POWER_PARAMS });
  const { sim } = ctx;
  const ct = ctOf(sim, str(p, "node")!, num(p, "vmid")!);
  const skiplock = p.skiplock === 1;
  if (skiplock && !isRootPam(ctx.caller)) paramError({ skiplock: "Only root may use this option." });
  if ((action === "start" || action === "resume") && ct.running && !ct.paused) fail(`CT ${ct.vmid} already running`);
  if ((action === "stop" || action === "shutdown" || action === "suspend") && !ct.running) fail(`CT ${ct.vmid} not running`);
  if (action === "reboot" && !ct.running) fail(`VM ${ct.vmid} not running`);
  const type = { start: "vzstart", stop: "vzstop", shutdown: "vzshutdown", reboot: "vzreboot", suspend: "vzsuspend", resume: "vzresume" }[action];
  return forkVmTask(ctx, {
    node: ct.node, vmid: ct.vmid, type, flock: "exclusive", guestType: "lxc",
    run: async (task) => {
      if (!stillThere(sim, ct)) fail(`Configuration file 'nodes/${ct.node}/lxc/${ct.vmid}.conf' does not exist`);
      if (action !== "reboot") checkCtLock(ct, { skiplock, allowMounted: action === "start" || action === "stop" });
      switch (action) {
        case "start":
          await startCt(sim, ct, task);
          break;
        case "stop":
        case "shutdown":
          if (ct.running) await stopCt(sim, ct, task);
          break;
        case "reboot":
          if (!ct.running) return;
          await stopCt(sim, ct, task);
          await startCt(sim, ct, task);
          break;
        case "suspend":
          ct.paused = true;
          sim.changed(ct);
          break;
        case "resume":
          ct.paused = false;
          sim.changed(ct);
          break;
      }
    },
  });
}

/** Registers the container power routes. */
export function registerLxcStatusRoutes(router: Router): void {
  router.add("GET", "/nodes/{node}/lxc/{vmid}/status", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    ctOf(sim, str(p, "node")!, num(p, "vmid")!);
    return ["current", "start", "stop", "shutdown", "reboot", "migrate"].map((subdir) => ({ subdir }));
  });
  router.add("GET", "/nodes/{node}/lxc/{vmid}/status/current", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    const ct = ctOf(sim, str(p, "node")!, num(p, "vmid")!);
    return { ...ctListEntry(ct), ha: { managed: 0 } };
  });
  for (const action of ["start", "stop", "shutdown", "reboot", "suspend", "resume"] as const) {
    router.add("POST", `/nodes/{node}/lxc/{vmid}/status/${action}`, (ctx) => power(ctx, action));
  }
}
