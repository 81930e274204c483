import { createHash } from "node:crypto";
import { errorText, fail, paramError } from "./errors.js";
import { guestSummary } from "./guest-summary.js";
import { canonicalCtNet, canonicalMount, ctTags, storedDescription, type CtMountContext } from "./lxc-canonical.js";
import { ctConfigView, ctOf, ctSnapshotView } from "./lxc-guest.js";
import { checkCtModifyPerms } from "./lxc-perms.js";
import { checkCtValue, ctConfigSchema, isCtOption } from "./lxc-schema.js";
import { startCt } from "./lxc-power.js";
import { ostypeOf } from "./lxc-templates.js";
import type { RequestContext, Router } from "./router.js";
import { P, num, str, validate, type ParamDef, type Params } from "./schema.js";
import { failInsideWorker, forkVmTask } from "./vm-tasks.js";
import { findVolume, freeVolume, storageOf, usableStorage } from "./volumes.js";
import type { Conf, ConfValue, VmRecord } from "./world.js";

/**
 * `GET /nodes/{node}/lxc` (live list), `GET …/lxc/{vmid}` (index), `GET …/config`, and
 * `POST /nodes/{node}/lxc` (create from an OS template → `vzcreate` UPID), following pve-container
 * `API2/LXC.pm`: root@pam-only options are refused first (403), the VMID must be unused
 * (`CT 105 already exists on node 'pve1'`), the template must be a `vztmpl` volume, the default
 * storage (`local` unless `storage` says otherwise) must hold container directories (400), and the
 * config is written at once with `lock: create`. The worker allocates rootfs and volume mount
 * points, unpacks the template (a missing file fails the task), sets the defaults pve-container sets
 * (hostname `CT<vmid>`, memory 512, swap 512, the detected `ostype`), writes the root password and
 * SSH keys into the container (never into the config) and, with `start=1`, starts it.
 */
const CREATE_CONTROL: Record<string, ParamDef> = {
  node: P.node, vmid: P.vmid, ostemplate: { type: "string", maxLength: 255 }, password: { type: "string", optional: true, minLength: 5 },
  storage: P.optStr, force: P.optBool, restore: P.optBool, unique: P.optBool, pool: P.optStr, "ignore-unpack-errors": P.optBool,
  "ssh-public-keys": P.optStr, bwlimit: { type: "number", optional: true, minimum: 0 }, start: P.optBool, "ha-managed": P.optBool,
};

/** Option values among validated parameters, format-checked (400 with every field error). */
export function ctValues(p: Params, control: string[]): Record<string, ConfValue> {
  const out: Record<string, ConfValue> = {};
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) {
    if (control.includes(k) || !isCtOption(k) || Array.isArray(v)) continue;
    const err = checkCtValue(k, v);
    if (err) errors[k] = err;
    else out[k] = v;
  }
  if (Object.keys(errors).length > 0) paramError(errors);
  return out;
}

/** One entry of the live container list (pve-container `vmstatus`). */
export function ctListEntry(ct: VmRecord): Record<string, unknown> {
  const s = guestSummary(ct);
  const running = s.status === "running";
  const e: Record<string, unknown> = {
    vmid: ct.vmid, type: "lxc", status: s.status, name: s.name, cpus: s.cpus, maxmem: s.maxmem, maxswap: Number(ct.conf.swap ?? 0) * 1024 * 1024,
    maxdisk: s.maxdisk, disk: running ? Math.floor(s.maxdisk / 5) : 0, mem: running ? Math.floor(s.maxmem / 4) : 0, swap: 0, uptime: s.uptime,
    cpu: running ? 0.005 : 0, netin: 0, netout: 0, diskread: 0, diskwrite: 0,
  };
  if (running) e.pid = 20000 + ct.vmid;
  if (s.template) e.template = 1;
  if (s.lock) e.lock = s.lock;
  if (s.tags !== undefined) e.tags = s.tags;
  return e;
}

function checkTemplate(ctx: RequestContext, node: string, volid: string): void {
  const sid = storageOf(volid);
  if (!sid || !volid.includes(":")) fail(`unable to parse volume ID '${volid}'`);
  if (!ctx.sim.storage(sid)) fail(`storage '${sid}' does not exist`);
  if (!/^[^:]+:vztmpl\//.test(volid)) fail(`unable to use volume ${volid} - content type needs to be 'vztmpl'`);
  usableStorage(ctx.sim, sid, node);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function createCt(ctx: RequestContext): string {
  const { sim } = ctx;
  const p = validate(ctx.input, ctConfigSchema(CREATE_CONTROL));
  const node = str(p, "node")!;
  const vmid = num(p, "vmid")!;
  sim.checkNode(node);
  if (p.restore === 1) fail("unable to restore CT - restore is not supported by this server");
  const values = ctValues(p, Object.keys(CREATE_CONTROL));
  const unprivileged = p.unprivileged === undefined ? true : p.unprivileged === 1;
  delete values.unprivileged;
  const existing = sim.world.vms[vmid];
  if (existing) fail(`${existing.type === "lxc" ? "CT" : "VM"} ${vmid} already exists on node '${existing.node}'`);
  checkCtModifyPerms(ctx.caller, undefined, values, [], unprivileged);
  const ostemplate = str(p, "ostemplate")!;
  checkTemplate(ctx, node, ostemplate);
  const storage = str(p, "storage") ?? "local";
  const mounts = Object.keys(values).filter((k) => k === "rootfs" || /^mp\d+$/.test(k));
  if (mounts.length > 0 && values.rootfs === undefined) fail("mount points configured, but 'rootfs' not set - aborting");
  for (const k of mounts) if (/^\d+(\.\d+)?(,|$)/.test(String(values[k]))) values[k] = `${storage}:${String(values[k])}`; // a bare size goes to `storage`
  for (const k of mounts) {
    const volume = String(values[k]).split(",")[0]!;
    const sid = /^([^:\s/]+):/.exec(volume)?.[1];
    if (!sid) continue;
    const cfg = sim.storage(sid);
    if (!cfg) fail(`storage '${sid}' does not exist`);
    if (!sim.contentOf(sid).includes("rootdir")) paramError({ storage: `storage '${sid}' does not support container directories` });
  }
  if (values.rootfs === undefined) {
    if (!sim.storage(storage)) fail(`storage '${storage}' does not exist`);
    if (!sim.contentOf(storage).includes("rootdir")) paramError({ storage: `storage '${storage}' does not support container directories` });
    values.rootfs = `${storage}:4`;
  }
  const password = str(p, "password");
  const keys = str(p, "ssh-public-keys");
  const ct: VmRecord = { vmid, node, type: "lxc", conf: { lock: "create" }, pending: {}, pendingDelete: {}, snapshots: {}, running: false };
  sim.world.vms[vmid] = ct;
  sim.changed(ct);
  const worker = failInsideWorker(ctx);
  return forkVmTask(worker.ctx, {
    node, vmid, type: "vzcreate", flock: "exclusive", guestType: "lxc",
    run: async (task) => {
      const allocated: CtMountContext["allocated"] = [];
      try {
        worker.fault();
        const c: CtMountContext = { sim, vmid, node, create: true, allocated };
        const conf: Conf = { lock: "create", arch: "amd64" };
        // volumes in pve-container's order (rootfs, mp0, mp1, …), so rootfs gets vm-<id>-disk-0
        const order = (k: string) => (k === "rootfs" ? -1 : /^mp\d+$/.test(k) ? Number(k.slice(2)) : 1000);
        for (const k of Object.keys(values).sort((a, b) => order(a) - order(b) || a.localeCompare(b))) {
          const v = values[k]!;
          if (k === "rootfs" || /^mp\d+$/.test(k)) conf[k] = canonicalMount(c, k, String(v));
          else if (/^net\d+$/.test(k)) conf[k] = canonicalCtNet(sim, String(v));
          else if (k === "tags") conf[k] = ctTags(String(v));
          else if (k === "description") conf[k] = storedDescription(String(v));
          else conf[k] = v;
        }
        for (const v of allocated) task.log(`Logical volume "${v.volid.split(":")[1]}" created.`);
        if (!findVolume(sim, ostemplate, node)) throw new Error(`volume '${ostemplate}' does not exist`);
        task.log(`extracting archive '${ostemplate}'`);
        await task.work();
        task.log("Total bytes read: 512204800 (489MiB, 103MiB/s)");
        conf.hostname ??= `CT${vmid}`;
        conf.memory ??= 512;
        conf.swap ??= 512;
        conf.ostype ??= ostypeOf(ostemplate);
        if (unprivileged) conf.unprivileged = 1;
        task.log(`Detected container architecture: amd64`);
        if (password !== undefined || keys !== undefined) {
          ct.guestFs = {
            ...(password !== undefined ? { rootPasswordSha256: sha256(password) } : {}),
            ...(keys !== undefined ? { authorizedKeys: keys.split("\n").map((k) => k.trim()).filter(Boolean) } : {}),
          };
        }
        if (!(ctx.sim.world.vms[vmid] === ct)) throw new Error("container config vanished during create");
        delete conf.lock;
        ct.conf = conf;
        sim.changed(ct);
      } catch (err) {
        for (const v of allocated) freeVolume(sim, v.volid, node);
        if (sim.world.vms[vmid] === ct) delete sim.world.vms[vmid];
        sim.rrd.forget(vmid);
        sim.changed();
        throw new Error(`unable to create CT ${vmid} - ${errorText(err)}`);
      }
      if (p.start === 1) await startCt(sim, ct, task);
    },
  });
}

/** Registers the container collection, index and config read routes. */
export function registerLxcCreateRoutes(router: Router): void {
  router.add("GET", "/nodes/{node}/lxc", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node } });
    const node = str(p, "node")!;
    sim.checkNode(node);
    return Object.values(sim.world.vms).filter((v) => v.node === node && v.type === "lxc").map(ctListEntry);
  });
  router.add("POST", "/nodes/{node}/lxc", (ctx) => createCt(ctx));
  router.add("GET", "/nodes/{node}/lxc/{vmid}", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid } });
    ctOf(sim, str(p, "node")!, num(p, "vmid")!);
    return ["config", "pending", "status", "vncproxy", "termproxy", "vncwebsocket", "spiceproxy", "migrate", "clone", "rrd", "rrddata", "firewall", "snapshot", "resize", "interfaces"].map((subdir) => ({ subdir }));
  });
  router.add("GET", "/nodes/{node}/lxc/{vmid}/config", ({ sim, input }) => {
    const p = validate(input, { props: { node: P.node, vmid: P.vmid, current: P.optBool, snapshot: { ...P.configId, optional: true } } });
    if (p.current === 1 && p.snapshot !== undefined) {
      paramError({ snapshot: "cannot use 'snapshot' parameter with 'current'", current: "cannot use 'snapshot' parameter with 'current'" });
    }
    const ct = ctOf(sim, str(p, "node")!, num(p, "vmid")!);
    const snapname = str(p, "snapshot");
    return snapname !== undefined ? ctSnapshotView(ct, snapname) : ctConfigView(ct, p.current === 1);
  });
}
