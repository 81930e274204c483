import { configDigest, pendingView } from "./config-file.js";
import { fail, paramError } from "./errors.js";
import type { RequestContext, Router } from "./router.js";
import { P, num, str, validate, type ParamDef, type Params } from "./schema.js";
import { sleep } from "../knobs.js";
import { configValues, splitList } from "./vm-params.js";
import { vmConfigSchema, vmPropDef } from "./vm-schema.js";
import { checkConfigLock, forkVmTask, withGuestLock } from "./vm-tasks.js";
import { updateVm, type UpdateRequest } from "./vm-update.js";
import type { VmRecord } from "./world.js";

/**
 * `PUT` (synchronous, returns null) and `POST` (forks `qmconfig`, returns a UPID; `background_delay`
 * waits for it) on `/nodes/{node}/qemu/{vmid}/config`, and `GET …/pending`. Lock, digest and
 * parameter errors are raised synchronously for both, as PVE's early check does.
 */
const UPDATE_CONTROL: Record<string, ParamDef> = {
  node: P.node, vmid: P.vmid, delete: P.optStr, revert: P.optStr, force: P.optBool, digest: { type: "string", optional: true, maxLength: 40 },
  skiplock: P.optBool, storage: P.optStr,
};

/** Validates an update and runs PVE's early checks; returns the guest and the parsed request. */
function prepare(ctx: RequestContext, post: boolean): { vm: VmRecord; req: UpdateRequest; params: Params } {
  const control = post ? { ...UPDATE_CONTROL, background_delay: { type: "integer", optional: true, minimum: 1, maximum: 30 } as ParamDef } : UPDATE_CONTROL;
  const p = validate(ctx.input, vmConfigSchema(control));
  const set = configValues(p, Object.keys(control));
  const del = splitList(p.delete);
  const revert = splitList(p.revert);
  const errors: Record<string, string> = {};
  for (const k of del) {
    const key = k === "cdrom" ? "ide2" : k;
    if (!vmPropDef(key)) errors.delete = `unknown option '${k}'`;
    else if (set[key] !== undefined) errors.delete = `you can't use '-${key}' and -delete ${key}' at the same time`;
  }
  for (const k of revert) {
    if (!vmPropDef(k)) errors.revert = `unknown option '${k}'`;
    else if (set[k] !== undefined || del.includes(k)) errors.revert = `you can't use '-${k}' and '-revert ${k}' at the same time`;
  }
  for (const k of ["lock", "meta", "parent"]) if (set[k] !== undefined) errors[k] = "property is not defined in schema and the schema does not allow additional properties";
  if (Object.keys(errors).length > 0) paramError(errors);
  const vm = ctx.sim.vm(str(p, "node")!, num(p, "vmid")!);
  if (Object.keys(set).length === 0 && del.length === 0 && revert.length === 0) fail("no options specified");
  checkConfigLock(vm, p.skiplock === 1);
  const digest = str(p, "digest");
  if (digest !== undefined && digest !== configDigest(vm)) fail("checksum mismatch (file change by other user?)");
  const storage = str(p, "storage");
  return { vm, params: p, req: { set, delete: del, revert, force: p.force === 1, ...(storage ? { storage } : {}) } };
}

/** Registers the config update routes. */
export function registerVmConfigRoutes(router: Router): void {
  router.add("PUT", "/nodes/{node}/qemu/{vmid}/config", async (ctx) => {
    const { vm, req, params } = prepare(ctx, false);
    await withGuestLock(ctx, vm.vmid, () => {
      checkConfigLock(vm, params.skiplock === 1);
      updateVm(ctx.sim, vm, req);
      ctx.sim.changed(vm);
    });
    return null;
  });
  router.add("POST", "/nodes/{node}/qemu/{vmid}/config", async (ctx) => {
    const { vm, req, params } = prepare(ctx, true);
    await withGuestLock(ctx, vm.vmid, () => undefined);
    const upid = forkVmTask(ctx, {
      node: vm.node, vmid: vm.vmid, type: "qmconfig", flock: "exclusive",
      run: async (task) => {
        checkConfigLock(vm, params.skiplock === 1);
        await task.work();
        if (ctx.sim.world.vms[vm.vmid] !== vm) fail(`Configuration file 'nodes/${vm.node}/qemu-server/${vm.vmid}.conf' does not exist`);
        for (const [k, v] of Object.entries(req.set)) task.log(`update VM ${vm.vmid}: -${k} ${k === "cipassword" ? "<hidden>" : String(v)}`);
        updateVm(ctx.sim, vm, req);
        ctx.sim.changed(vm);
      },
    });
    const delay = num(params, "background_delay");
    if (delay === undefined) return upid;
    const deadline = Date.now() + delay * 1000;
    for (;;) {
      const t = ctx.sim.tasks.find(upid)!;
      if (t.status === "stopped") {
        if (t.exitstatus === "OK") return null;
        fail(`failed to update VM ${vm.vmid}: ${t.exitstatus}`);
      }
      if (Date.now() >= deadline) return upid;
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    }
  });
  router.add("GET", "/nodes/{node}/qemu/{vmid}/pending", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    return pendingView(sim.vm(str(p, "node")!, num(p, "vmid")!));
  });
}
