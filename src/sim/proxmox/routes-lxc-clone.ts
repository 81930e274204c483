import type { SimContext } from "./context.js";
import { fail } from "./errors.js";
import { printMount } from "./lxc-canonical.js";
import { checkCtLock, ctOf, stillThere } from "./lxc-guest.js";
import { mountType } from "./lxc-schema.js";
import { formatSize, parsePropertyString, printPropertyString } from "./property-string.js";
import type { Router } from "./router.js";
import { P, num, str, validate } from "./schema.js";
import { checkDnsName } from "./vm-schema.js";
import { failInsideWorker, forkVmTask } from "./vm-tasks.js";
import { canLinkClone, copyVolume, findVolume, isShared, linkClone, renameToBase } from "./volumes.js";
import type { Conf, VmRecord } from "./world.js";

/**
 * `POST …/lxc/{vmid}/clone` (`vzclone`) and `POST …/lxc/{vmid}/template` (pve-container
 * `clone_vm`, `template`). A clone takes the source's `lock: disk` and writes the new config with
 * `lock: create` before it forks — so a second clone of the same source fails at once with
 * `CT is locked (disk)`, and the new id is taken immediately. Full copies are the default for
 * ordinary containers, linked clones for templates; bind mount points cannot be cloned; NICs get
 * new MACs; hostname and description come from the request. Template conversion answers `null`
 * and converts in a `vztemplate` worker (volumes renamed to `base-…`, `template: 1`).
 */
function cloneConf(sim: SimContext, source: Conf): Conf {
  const conf: Conf = {};
  for (const [k, v] of Object.entries(source)) {
    if (["lock", "template", "parent", "snaptime", "snapstate"].includes(k) || /^unused\d+$/.test(k)) continue;
    conf[k] = v;
  }
  for (const k of Object.keys(conf).filter((x) => /^net\d+$/.test(x))) {
    const m = parsePropertyString(String(conf[k]), null);
    m.hwaddr = sim.newMac();
    const name = m.name!;
    delete m.name;
    conf[k] = printPropertyString(m, `name=${name}`);
  }
  return conf;
}

function clone(sim: SimContext, input: Record<string, unknown>, src: VmRecord) {
  const p = validate(input, {
    props: {
      node: P.node, vmid: P.vmid, newid: P.vmid, hostname: { type: "string", optional: true, check: checkDnsName }, description: P.optStr,
      pool: P.optStr, snapname: { ...P.configId, optional: true }, storage: P.optStr, full: P.optBool, target: { ...P.node, optional: true },
      bwlimit: { type: "number", optional: true, minimum: 0 },
    },
  });
  const target = str(p, "target") ?? src.node;
  if (target !== src.node) sim.checkNode(target);
  const storage = str(p, "storage");
  if (storage !== undefined && !sim.storage(storage)) fail(`storage '${storage}' does not exist`);
  checkCtLock(src);
  const newid = num(p, "newid")!;
  const existing = sim.world.vms[newid];
  if (existing) fail(`${existing.type === "lxc" ? "CT" : "VM"} ${newid} already exists on node '${existing.node}'`);
  const full = p.full !== undefined ? p.full === 1 : src.conf.template !== 1;
  if (storage !== undefined && !full) fail("parameter 'storage' not allowed for linked clones");
  const snapname = str(p, "snapname");
  const base = snapname !== undefined ? src.snapshots[snapname]?.conf : src.conf;
  if (!base) fail(`snapshot '${snapname}' does not exist`);
  const mounts = Object.keys(base).filter((k) => k === "rootfs" || /^mp\d+$/.test(k)).sort();
  for (const key of mounts) {
    const m = parsePropertyString(String(base[key]), "volume");
    const type = mountType(m.volume ?? "");
    if (type !== "volume") fail(`unable to clone mountpoint '${key}' (type ${type})`);
    const vol = findVolume(sim, m.volume!, src.node);
    if (!vol) fail(`volume '${m.volume}' does not exist`);
    if (full && src.running && snapname === undefined) fail("Full clone of a running container is only possible from a snapshot");
    if (!full && !canLinkClone(sim, vol)) fail(`Linked clone feature for '${vol.volid}' is not available`);
    if (target !== src.node && !isShared(sim.storage(storage ?? vol.storage) ?? {})) fail(`can't clone CT to node '${target}' (CT uses local storage)`);
  }
  return { p, target, storage, newid, full, base, mounts };
}

/** Registers the container clone and template routes. */
export function registerLxcCloneRoutes(router: Router): void {
  router.add("POST", "/nodes/{node}/lxc/{vmid}/clone", (ctx) => {
    const { sim } = ctx;
    const src = ctOf(sim, String(ctx.input.node), Number(ctx.input.vmid));
    const { p, target, storage, newid, full, base, mounts } = clone(sim, ctx.input, src);
    src.conf.lock = "disk";
    const conf = cloneConf(sim, base);
    conf.lock = "create";
    if (p.hostname !== undefined) conf.hostname = String(p.hostname);
    if (p.description !== undefined) conf.description = String(p.description).replace(/\n+$/, "");
    const ct: VmRecord = { vmid: newid, node: target, type: "lxc", conf, pending: {}, pendingDelete: {}, snapshots: {}, running: false };
    sim.world.vms[newid] = ct;
    sim.changed(src);
    sim.changed(ct);
    const worker = failInsideWorker(ctx);
    return forkVmTask(worker.ctx, {
      node: src.node, vmid: src.vmid, type: "vzclone", flock: "none", guestType: "lxc",
      run: async (task) => {
        const before = new Set(Object.keys(sim.world.volumes));
        task.log(`creating a clone of container ${src.vmid} with ID ${newid}`);
        try {
          worker.fault();
          await task.work();
          for (const key of mounts) {
            const m = parsePropertyString(String(base[key]), "volume");
            const vol = findVolume(sim, m.volume!, src.node)!;
            task.log(`create ${full ? "full" : "linked"} clone of mount point ${key} (${vol.volid})`);
            const copy = full ? copyVolume(sim, vol, { storage: storage ?? vol.storage, node: target, vmid: newid, format: "raw", content: "rootdir" }) : linkClone(sim, vol, target, newid);
            m.volume = copy.volid;
            m.size = formatSize(copy.size);
            ct.conf[key] = printMount(key, m);
          }
          if (!stillThere(sim, ct)) throw new Error("Lost 'create' config lock, aborting.");
          delete ct.conf.lock;
          sim.changed(ct);
        } catch (err) {
          for (const key of Object.keys(sim.world.volumes)) if (!before.has(key)) delete sim.world.volumes[key];
          if (sim.world.vms[newid] === ct) delete sim.world.vms[newid];
          sim.rrd.forget(newid);
          throw new Error(`clone failed: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          if (src.conf.lock === "disk") delete src.conf.lock;
          sim.changed(src);
        }
      },
    });
  });
  router.add("POST", "/nodes/{node}/lxc/{vmid}/template", (ctx) => {
    const p = validate(ctx.input, { props: { node: P.node, vmid: P.vmid } });
    const { sim } = ctx;
    const ct = ctOf(sim, str(p, "node")!, num(p, "vmid")!);
    checkCtLock(ct);
    if (Object.keys(ct.snapshots).length > 0) fail("unable to create template, because CT contains snapshots");
    if (ct.conf.template === 1) fail("you can't convert a template to a template");
    if (ct.running) fail("you can't convert a CT to template if the CT is running");
    forkVmTask(ctx, {
      node: ct.node, vmid: ct.vmid, type: "vztemplate", flock: "exclusive", guestType: "lxc",
      run: async (task) => {
        await task.work();
        for (const key of Object.keys(ct.conf).filter((k) => k === "rootfs" || /^mp\d+$/.test(k))) {
          const m = parsePropertyString(String(ct.conf[key]), "volume");
          if (mountType(m.volume ?? "") !== "volume") continue;
          const renamed = renameToBase(sim, m.volume!, ct.node);
          if (renamed !== m.volume) task.log(`  Renamed "${m.volume}" to "${renamed}"`);
          m.volume = renamed;
          ct.conf[key] = printMount(key, m);
        }
        ct.conf.template = 1;
        sim.changed(ct);
      },
    });
    return null;
  });
}
