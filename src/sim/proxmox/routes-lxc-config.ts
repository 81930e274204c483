import { configDigest, pendingView } from "./config-file.js";
import { fail, paramError } from "./errors.js";
import { checkCtLock, ctOf } from "./lxc-guest.js";
import { checkCtModifyPerms } from "./lxc-perms.js";
import { ctConfigSchema, isCtOption } from "./lxc-schema.js";
import { updateCt } from "./lxc-update.js";
import { ctValues } from "./routes-lxc-create.js";
import type { Router } from "./router.js";
import { P, num, str, validate, type ParamDef } from "./schema.js";
import { splitList } from "./vm-params.js";
import { withGuestLock } from "./vm-tasks.js";

/**
 * `PUT /nodes/{node}/lxc/{vmid}/config` — synchronous (returns null; containers have no POST
 * variant and no task), under the config flock — and `GET …/pending`. Checks in PVE's order: no
 * options, config lock (`CT is locked (…)`), digest (`detected modified configuration - file
 * changed by other user? Try again.`), root@pam-only options (403), `delete`/`revert` conflicts
 * (400); then `updateCt` (see lxc-update.ts), whose per-option hotplug/apply errors are a 400.
 */
const UPDATE_CONTROL: Record<string, ParamDef> = {
  node: P.node, vmid: P.vmid, delete: P.optStr, revert: P.optStr, digest: { type: "string", optional: true, maxLength: 40 },
};

/** Registers the container config update and pending routes. */
export function registerLxcConfigRoutes(router: Router): void {
  router.add("PUT", "/nodes/{node}/lxc/{vmid}/config", async (ctx) => {
    const p = validate(ctx.input, ctConfigSchema(UPDATE_CONTROL));
    const set = ctValues(p, Object.keys(UPDATE_CONTROL));
    const del = splitList(p.delete);
    const revert = splitList(p.revert);
    if (Object.keys(set).length === 0 && del.length === 0 && revert.length === 0) fail("no options specified");
    const ct = ctOf(ctx.sim, str(p, "node")!, num(p, "vmid")!);
    await withGuestLock(ctx, ct.vmid, () => {
      checkCtLock(ct);
      const digest = str(p, "digest");
      if (digest !== undefined && digest !== configDigest(ct)) fail("detected modified configuration - file changed by other user? Try again.");
      const unprivileged = Number(ct.conf.unprivileged ?? 0) === 1;
      checkCtModifyPerms(ctx.caller, ct.conf, set, [...del, ...revert], unprivileged);
      for (const k of revert) {
        if (!isCtOption(k)) paramError({ revert: `unknown option '${k}'` });
        if (set[k] !== undefined) paramError({ revert: `you can't use '-${k}' and '-revert ${k}' at the same time` });
      }
      for (const k of del) {
        if (!isCtOption(k)) paramError({ delete: `unknown option '${k}'` });
        if (set[k] !== undefined) paramError({ delete: `you can't use '-${k}' and -delete ${k}' at the same time` });
        if (revert.includes(k)) paramError({ delete: `you can't use '-delete ${k}' and '-revert ${k}' at the same time` });
      }
      updateCt(ctx.sim, ct, { set, delete: del, revert });
      ctx.sim.changed(ct);
    }, "lxc");
    return null;
  });
  router.add("GET", "/nodes/{node}/lxc/{vmid}/pending", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    return pendingView(ctOf(sim, str(p, "node")!, num(p, "vmid")!));
  });
}
